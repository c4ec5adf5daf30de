package evidence

import (
	"fmt"
	"os"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/failure"
)

// checkConformityStatements is part of the config stage: a conformity
// procedure that Art. 32 does not open to the product, or a notified body
// outside Module B + C and Module H, is bad input (exit 2) at its
// file:line:column, found before any work is done.
func checkConformityStatements(cfg *config.Config, cfgPath string) error {
	problems := conformity.ValidateProcedure(cfg)
	if len(problems) == 0 {
		return nil
	}
	var data []byte
	if cfgPath != "" {
		// Only read again to name the position: the common path reads nothing.
		b, err := os.ReadFile(cfgPath)
		if err != nil {
			return fmt.Errorf("read %s: %w", cfgPath, err)
		}
		data = b
	}
	var errs config.Errors
	for _, p := range problems {
		errs = append(errs, config.ErrorAt(cfgPath, data, p.Path, p.Msg))
	}
	return failure.Usage(errs)
}
