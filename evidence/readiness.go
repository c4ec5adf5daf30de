package evidence

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cemark/cemark/checks"
)

// ReadinessItem is one line of the pre-release checklist.
type ReadinessItem struct {
	Title  string   `json:"title"`
	Ready  bool     `json:"ready"`
	Detail []string `json:"detail,omitempty"`
}

// Readiness builds the checklist for releasing tag: manufacturer input,
// failing findings, signed and verified artefacts, a current technical
// file, the support period and possible substantial modifications.
func (ev *Evidence) Readiness(tag string) []ReadinessItem {
	var items []ReadinessItem

	it := ReadinessItem{Title: "Manufacturer input complete", Ready: len(ev.Missing) == 0}
	for _, m := range ev.Missing {
		it.Detail = append(it.Detail, fmt.Sprintf("%s — %s (%s)", m.Field, m.Why, m.Clause))
	}
	items = append(items, it)

	it = ReadinessItem{Title: "No failing finding", Ready: true}
	if ev.Report != nil {
		for _, f := range ev.Report.Findings() {
			if f.Outcome == checks.Fail {
				it.Ready = false
				it.Detail = append(it.Detail, fmt.Sprintf("%s %s %s", f.Check, loc(f), f.Message))
			}
		}
		if ev.Report.Summary.Error > 0 {
			it.Ready = false
			it.Detail = append(it.Detail, fmt.Sprintf("%d check(s) could not run: the product was not fully assessed", ev.Report.Summary.Error))
		}
	}
	items = append(items, it)

	it = ReadinessItem{Title: "Shipped artefacts signed and verified", Ready: true}
	if ev.Report == nil || ev.Report.Facts.UpdateSigning == nil || len(ev.Report.Facts.UpdateSigning.Artifacts) == 0 {
		it.Ready = false
		it.Detail = append(it.Detail, "no artefacts named: pass --artifacts 'dist/*' (or updates.artifacts in cemark.yaml) so their signatures are verified")
	} else {
		for _, a := range ev.Report.Facts.UpdateSigning.Artifacts {
			if a.Verdict != "verified" {
				it.Ready = false
				it.Detail = append(it.Detail, fmt.Sprintf("%s: %s %s", a.Path, a.Verdict, a.Detail))
			}
		}
	}
	items = append(items, it)

	it = ReadinessItem{Title: "Evidence attested with a key", Ready: ev.Signed}
	if !ev.Signed {
		it.Detail = append(it.Detail, "statements are unsigned: pass --key or set CEMARK_SIGNING_KEY")
	}
	items = append(items, it)

	it = ReadinessItem{Title: "Technical file current", Ready: true}
	switch {
	case ev.TechFile == nil:
		it.Ready = false
		it.Detail = append(it.Detail, "the technical file was not rendered (--no-docs)")
	case ev.TechFile.Changed:
		it.Ready = false
		it.Detail = append(it.Detail, "the committed technical file was stale and has been updated: review and commit "+relOrAbs(ev.Root, ev.TechFile.Dir))
	}
	if ev.TechFile != nil && len(ev.TechFile.ManualEdits) > 0 {
		it.Ready = false
		for _, m := range ev.TechFile.ManualEdits {
			it.Detail = append(it.Detail, fmt.Sprintf("hand edit in a generated region: %s (%s)", m.File, m.Region))
		}
	}
	items = append(items, it)

	it = ReadinessItem{Title: "Support period declared and running", Ready: true}
	if end := ev.Config.Product.Support.End; end == nil {
		it.Ready = false
		it.Detail = append(it.Detail, "product.support.end is not declared (Art. 13(8))")
	} else if end.Before(ev.Now) {
		it.Ready = false
		it.Detail = append(it.Detail, "the support period ended on "+end.String())
	}
	items = append(items, it)

	it = ReadinessItem{Title: "No possible substantial modification pending", Ready: true}
	if ev.TechFile != nil {
		for _, c := range ev.TechFile.Substantial {
			it.Ready = false
			it.Detail = append(it.Detail, DescribeChange(c))
		}
	}
	items = append(items, it)

	it = ReadinessItem{Title: "Version matches the release", Ready: true}
	if tag != "" && strings.TrimPrefix(tag, "v") != strings.TrimPrefix(ev.Config.Product.Version, "v") {
		it.Ready = false
		it.Detail = append(it.Detail, fmt.Sprintf("the product version is %q, the release is %q: tag first or pass --product-version %s", ev.Config.Product.Version, tag, tag))
	}
	items = append(items, it)
	return items
}

func loc(f checks.Finding) string {
	if f.Path == "" {
		return ""
	}
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d", f.Path, f.Line)
	}
	return f.Path
}

// ErrNotReady is returned when a release checklist has open items.
var ErrNotReady = errors.New("release not ready")

// WriteReadiness prints the checklist, coloured on a terminal and plain in
// logs, and returns ErrNotReady when any item is open.
func WriteReadiness(w io.Writer, ev *Evidence, tag string, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	items := ev.Readiness(tag)
	fmt.Fprintf(w, "\nRelease readiness for %s %s\n", ev.Config.Product.Name, tag)
	open := 0
	for _, it := range items {
		mark := paint("32", "[x]")
		if !it.Ready {
			mark = paint("31", "[ ]")
			open++
		}
		fmt.Fprintf(w, "  %s %s\n", mark, it.Title)
		for _, d := range it.Detail {
			fmt.Fprintf(w, "        - %s\n", d)
		}
	}
	if open > 0 {
		fmt.Fprintf(w, "%s: %d of %d items open\n", paint("31", "not ready"), open, len(items))
		return fmt.Errorf("%w: %d of %d items open", ErrNotReady, open, len(items))
	}
	fmt.Fprintf(w, "%s: every item on the checklist holds. Signing the EU declaration of conformity remains the manufacturer's act.\n", paint("32", "ready"))
	return nil
}
