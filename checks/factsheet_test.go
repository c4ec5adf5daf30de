package checks

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// inventorySheet is a family's collected facts that state the inventory.
type inventorySheet struct{ inv *Inventory }

func (s *inventorySheet) StateFacts(f *Facts) { f.Inventory = s.inv }

// TestFamiliesStateTheirFactSheets: the runner asks each family's facts
// for its sheet — once the family ran — and a family whose collection
// failed has an error finding in the report instead of a sheet: the
// failure is reported, never dropped.
func TestFamiliesStateTheirFactSheets(t *testing.T) {
	tg := newTestTarget(t, map[string]string{"a.txt": "x\n"}, nil)
	sheet := &inventorySheet{inv: &Inventory{Interfaces: []ExposedInterface{{Port: 22, Protocol: "tcp"}}}}
	collect := func(context.Context, *Target) (any, error) { return sheet, nil }
	ok := fakeCheck{meta: meta("CEM-TST-001"), collect: collect}
	also := fakeCheck{meta: meta("CEM-TST-002"), collect: collect}
	rep := mustRun(t, tg, ok, also)
	if rep.Facts.Inventory == nil || rep.Facts.Inventory.Interfaces[0].Port != 22 {
		t.Errorf("the family's sheet is not in the report: %+v", rep.Facts)
	}

	broken := fakeCheck{meta: meta("CEM-TST-001"), collect: func(context.Context, *Target) (any, error) {
		return sheet, errors.New("compose.yaml: unreadable")
	}}
	rep = mustRun(t, tg, broken)
	if rep.Facts.Inventory != nil {
		t.Errorf("a family whose collection failed stated a sheet: %+v", rep.Facts.Inventory)
	}
	var msgs []string
	for _, f := range rep.Findings() {
		if f.Outcome == Error {
			msgs = append(msgs, f.Message)
		}
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "compose.yaml: unreadable") {
		t.Errorf("the failure is not reported: %v", msgs)
	}

	// A family that did not run states nothing.
	rep = mustRun(t, tg)
	if rep.Facts.Inventory != nil {
		t.Errorf("a family that did not run stated a sheet")
	}
}
