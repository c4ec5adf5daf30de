package evidence

import (
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
)

// checkConformityStatements is part of the config stage: a conformity
// procedure that Art. 32 does not open to the product, or a notified body
// outside Module B + C and Module H, is bad input (exit 2) at its
// file:line:column (data is the file as read), found before any work is
// done.
func checkConformityStatements(cfg *config.Config, cfgPath string, data []byte) error {
	problems := conformity.ValidateProcedure(cfg)
	if len(problems) == 0 {
		return nil
	}
	var errs config.Errors
	for _, p := range problems {
		errs = append(errs, config.ErrorAt(cfgPath, data, p.Path, p.Msg))
	}
	return errs
}
