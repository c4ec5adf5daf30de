package evidence

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/failure"
)

// TestProcedureNotOpenIsAConfigError: Art. 32(3) gives an important
// product of class II "(a) EU-type examination procedure (based on module
// B) … (b) a conformity assessment based on full quality assurance (based
// on module H) … or (c) … a European cybersecurity certification scheme";
// Module A in cemark.yaml is bad input, exit 2 at its line and column,
// before any work is done.
func TestProcedureNotOpenIsAConfigError(t *testing.T) {
	root := t.TempDir()
	yaml := "product:\n  name: gw\n  class: important-class-II\nconformity:\n  procedure: module-a\n"
	if err := os.WriteFile(filepath.Join(root, config.FileName), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Options{Root: root, Stages: ConfigStages})
	var ce *config.Error
	if failure.KindOf(err) != failure.ErrUsage || !errors.As(err, &ce) || ce.Line != 5 || ce.Column != 14 ||
		!strings.Contains(err.Error(), `procedure "module-a" is not open to this product: Art. 32(3)`) {
		t.Errorf("got %v (exit %v)", err, failure.KindOf(err))
	}
}
