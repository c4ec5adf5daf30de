package evidence

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/techfile"
)

// ReadinessItem is one line of the pre-release checklist. Detail lists
// each unmet part with where to fix it.
type ReadinessItem struct {
	Title  string   `json:"title"`
	Ready  bool     `json:"ready"`
	Detail []string `json:"detail,omitempty"`
}

func (it *ReadinessItem) open(format string, args ...any) {
	it.Ready = false
	it.Detail = append(it.Detail, fmt.Sprintf(format, args...))
}

// Readiness builds the checklist for releasing tag. A release is ready
// only when the technical documentation (Annex VII) is complete, every
// Annex I point is evidenced, stated or justified not applicable (Part I
// (1) and Part II never not applicable, Art. 13(4)), the route and the
// declaration have what they need, Art. 14 reporting is set up, and no
// finding fails at or above failOn (every failing finding when failOn is
// empty) — besides signed artefacts and evidence, a current technical
// file, a running support period and no pending substantial modification.
func (ev *Evidence) Readiness(tag string, failOn checks.Severity) []ReadinessItem {
	cfg := ev.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	steward := cfg.Manufacturer.Role == config.RoleSteward
	var items []ReadinessItem

	it := ReadinessItem{Title: "Manufacturer input complete", Ready: true}
	for _, m := range ev.Missing {
		it.open("%s — %s (%s); set it in cemark.yaml", m.Field, m.Why, m.Clause)
	}
	items = append(items, it)

	it = ReadinessItem{Title: "Technical documentation complete (Annex VII)", Ready: true}
	switch {
	case ev.TechFile == nil:
		it.open("the technical file was not rendered (--no-docs): run without it")
	default:
		for _, row := range ev.TechFile.Index {
			if row.State == techfile.StateNeedsInput {
				it.open("Annex VII %s %s: %s — in %s", row.Item, row.Title, row.Detail, docPlace(ev, row.File))
			}
		}
	}
	items = append(items, it)

	it = ReadinessItem{Title: "Every Annex I point evidenced, stated or justified not applicable", Ready: true}
	for _, p := range ev.Assessment.Unaddressed() {
		where := "cemark.yaml risk_assessment." + p.ID + ", and " + docPlace(ev, "04-risk-assessment.md")
		if p.ID == "I-2a" && p.Status != conformity.FailingFinding {
			where = "a vulnerability scan of the SBOM; see " + docPlace(ev, "04-risk-assessment.md")
		}
		if len(p.OpenItems) == 0 {
			it.open("%s (%s): %s — %s", p.Clause, p.Status.Words(), p.Basis, where)
		}
		for _, o := range p.OpenItems {
			it.open("%s (%s): %s — %s", p.Clause, p.Status.Words(), o, where)
		}
	}
	items = append(items, it)

	threshold := "any severity"
	if failOn != "" {
		threshold = "severity " + string(failOn) + " or above"
	}
	it = ReadinessItem{Title: "No failing finding at " + threshold, Ready: true}
	if ev.Report == nil {
		it.open("the checks did not run: the product was not assessed")
	} else {
		min := failOn
		if min == "" {
			min = checks.SeverityInfo
		}
		for _, f := range checks.FailsAt(ev.Report, min) {
			it.open("%s %s %s — fix it, or waive it with a justification in cemark.yaml waivers", f.Check, loc(f), f.Message)
		}
		if ev.Report.Summary.Error > 0 {
			it.open("%d check(s) could not run: the product was not fully assessed (see report.json)", ev.Report.Summary.Error)
		}
	}
	items = append(items, it)

	if steward {
		it = ReadinessItem{Title: "Steward's cybersecurity policy documented (Art. 24(1))", Ready: true}
		if strings.TrimSpace(cfg.Security.CybersecurityPolicy) == "" {
			it.open("where the documented cybersecurity policy is: security.cybersecurity_policy in cemark.yaml")
		}
		items = append(items, it)
	} else {
		it = ReadinessItem{Title: "Conformity route settled (Art. 32)", Ready: true}
		for _, o := range ev.Route.OpenItems {
			it.open("%s — in cemark.yaml", o)
		}
		items = append(items, it)

		it = ReadinessItem{Title: "EU declaration of conformity: manufacturer fields filled (Annex V)", Ready: true}
		decl := docPlace(ev, "08-eu-declaration-of-conformity.md")
		for _, f := range []struct{ value, key, item string }{
			{cfg.Manufacturer.Name, "manufacturer.name", "Annex V 2"},
			{cfg.Manufacturer.Address, "manufacturer.address", "Annex V 2"},
			{cfg.Product.TypeDesignation, "product.type_designation", "Annex V 1"},
			{cfg.Conformity.Procedure, "conformity.procedure", "Annex V 7"},
		} {
			if strings.TrimSpace(f.value) == "" {
				it.open("%s is empty (%s) — set it in cemark.yaml; it fills %s", f.key, f.item, decl)
			}
		}
		items = append(items, it)
	}

	it = ReadinessItem{Title: "Art. 14 reporting set up", Ready: true}
	for _, f := range []struct{ value, key string }{
		{cfg.Reporting.MemberState, "reporting.member_state"},
		{cfg.Reporting.CSIRT, "reporting.csirt"},
	} {
		if strings.TrimSpace(f.value) == "" {
			it.open("%s is empty: notifications go through the single reporting platform to the CSIRT designated as coordinator of the Member State of main establishment (Art. 14(7)) — set it in cemark.yaml", f.key)
		}
	}
	items = append(items, it)

	it = ReadinessItem{Title: "Shipped artefacts signed and verified", Ready: true}
	if ev.Report == nil || ev.Report.Facts.UpdateSigning == nil || len(ev.Report.Facts.UpdateSigning.Artifacts) == 0 {
		it.open("no artefacts named: pass --artifacts 'dist/*' (or updates.artifacts in cemark.yaml) so their signatures are verified")
	} else {
		for _, a := range ev.Report.Facts.UpdateSigning.Artifacts {
			if a.Verdict != "verified" {
				it.open("%s: %s %s", a.Path, a.Verdict, a.Detail)
			}
		}
	}
	items = append(items, it)

	items = append(items, signedItem(ev))

	it = ReadinessItem{Title: "Technical file current", Ready: true}
	switch {
	case ev.TechFile == nil:
		it.open("the technical file was not rendered (--no-docs)")
	case ev.TechFile.Changed:
		it.open("the committed technical file was stale and has been updated: review and commit %s", relOrAbs(ev.Root, ev.TechFile.Dir))
	}
	if ev.TechFile != nil {
		for _, m := range ev.TechFile.ManualEdits {
			it.open("hand edit in a generated region: %s (%s)", m.File, m.Region)
		}
	}
	items = append(items, it)

	it = ReadinessItem{Title: "Support period declared and running", Ready: true}
	if end := cfg.Product.Support.End; end == nil {
		it.open("product.support.end is not declared (Art. 13(8)) — set it in cemark.yaml")
	} else if end.Before(ev.Now) {
		it.open("the support period ended on %s", end)
	}
	items = append(items, it)

	it = ReadinessItem{Title: "No possible substantial modification pending", Ready: true}
	if ev.TechFile != nil {
		for _, c := range ev.TechFile.Substantial {
			it.open("%s — decide, then run `cemark docs --accept-changes` and commit", DescribeChange(c))
		}
	}
	items = append(items, it)

	it = ReadinessItem{Title: "Version matches the release", Ready: true}
	if tag != "" && strings.TrimPrefix(tag, "v") != strings.TrimPrefix(cfg.Product.Version, "v") {
		it.open("the product version is %q, the release is %q: tag first or pass --product-version %s", cfg.Product.Version, tag, tag)
	}
	items = append(items, it)
	return items
}

// signedItem: the statements are signed, with a key or keylessly with the
// CI's identity (Sigstore); either verifies offline.
func signedItem(ev *Evidence) ReadinessItem {
	it := ReadinessItem{Title: "Evidence signed (with a key or keylessly)", Ready: ev.Signed}
	if !ev.Signed {
		why := ""
		if ev.Signing.Reason != "" {
			why = " (" + ev.Signing.Reason + ")"
		}
		it.open("the statements are unsigned%s: sign with a key (--key or CEMARK_SIGNING_KEY) or keylessly in CI "+
			"(--sign keyless; GitHub: permissions: id-token: write; GitLab: an id_tokens entry SIGSTORE_ID_TOKEN with aud: sigstore)", why)
	}
	return it
}

// docPlace names a document of the technical file by its path from the
// product root ("docs/cra/04-risk-assessment.md").
func docPlace(ev *Evidence, doc string) string {
	if doc == "" {
		return "the technical file"
	}
	if ev.TechFile != nil && ev.TechFile.Dir != "" {
		return path.Join(ev.TechFile.Dir, doc)
	}
	return path.Join(techfile.DefaultDir, doc)
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
func WriteReadiness(w io.Writer, ev *Evidence, tag string, failOn checks.Severity, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	items := ev.Readiness(tag, failOn)
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
	if ev.Config.Manufacturer.Role == config.RoleSteward {
		fmt.Fprintf(w, "%s: every item on the checklist holds. A steward draws up no EU declaration of conformity (Art. 24).\n", paint("32", "ready"))
		return nil
	}
	fmt.Fprintf(w, "%s: every item on the checklist holds. Signing the EU declaration of conformity remains the manufacturer's act.\n", paint("32", "ready"))
	return nil
}
