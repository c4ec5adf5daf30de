package config_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
)

// TestPointIDsMatchConformity keeps the risk_assessment keys the loader
// accepts equal to the Annex I points evidence/conformity defines (which
// imports config, hence the copy).
func TestPointIDsMatchConformity(t *testing.T) {
	var want []string
	for _, p := range conformity.Points() {
		want = append(want, p.ID)
	}
	if diff := cmp.Diff(want, config.AnnexIPointIDs()); diff != "" {
		t.Errorf("config's Annex I point IDs differ from conformity.Points() (-conformity +config):\n%s", diff)
	}
}
