package checks

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// idPattern is the shape of every check ID. IDs are stable: a check is
// never renamed, only retired.
var idPattern = regexp.MustCompile(`^CEM-[A-Z]+-\d{3}$`)

// craRefPatterns are the accepted forms of a CRA reference, in the final
// numbering of Regulation (EU) 2024/2847. The 2022 proposal's "Annex I
// (3)(a)" style is rejected: it cites requirements that moved.
var craRefPatterns = []*regexp.Regexp{
	regexp.MustCompile(`^Annex I Part I \(1\)$`),
	regexp.MustCompile(`^Annex I Part I \(2\)\([a-m]\)$`),
	regexp.MustCompile(`^Annex I Part II \([1-8]\)$`),
	regexp.MustCompile(`^Annex II [1-9](\([a-f]\))?$`),
	regexp.MustCompile(`^Annex V [1-8]$`),
	regexp.MustCompile(`^Annex VII [1-8](\([a-d]\))?$`),
	regexp.MustCompile(`^Annex VIII Part I [1-4](\.[1-3])?$`),
	regexp.MustCompile(`^Art\. ([1-9]|[1-6][0-9]|7[01])(\([1-9][0-9]?\)(\([a-z]\))?)?$`),
}

// ValidCRARef reports whether ref is a CRA reference in the final
// numbering: "Annex I Part I (1)", "Annex I Part I (2)(a)" … "(2)(m)",
// "Annex I Part II (1)" … "(8)", "Annex II 8(e)", "Annex VII 2(a)",
// "Art. 13(3)" and the like.
func ValidCRARef(ref string) bool {
	for _, p := range craRefPatterns {
		if p.MatchString(ref) {
			return true
		}
	}
	return false
}

// ValidID reports whether id has the form CEM-<FAMILY>-<NNN>.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// ValidateMeta checks one check's metadata: ID form, title, remediation,
// a known severity and at least one CRA reference in the final numbering.
// All problems are returned together.
func ValidateMeta(m Meta) error {
	var errs []error
	if !ValidID(m.ID) {
		errs = append(errs, fmt.Errorf("id %q does not match CEM-<FAMILY>-<NNN>", m.ID))
	}
	if strings.TrimSpace(m.Title) == "" {
		errs = append(errs, errors.New("title is empty"))
	}
	if strings.TrimSpace(m.Remediation) == "" {
		errs = append(errs, errors.New("remediation is empty"))
	}
	if m.Severity.Rank() < 0 {
		errs = append(errs, fmt.Errorf("severity %q is not one of info, low, medium, high, critical", m.Severity))
	}
	if len(m.CRA) == 0 {
		errs = append(errs, errors.New("no CRA reference"))
	}
	for _, ref := range m.CRA {
		if !ValidCRARef(ref) {
			errs = append(errs, fmt.Errorf("CRA reference %q is not in the final numbering (e.g. \"Annex I Part I (2)(b)\", \"Annex I Part II (1)\", \"Annex VII 2(a)\", \"Art. 13(3)\")", ref))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	id := m.ID
	if id == "" {
		id = "check without id"
	}
	return fmt.Errorf("metadata of %s: %w", id, errors.Join(errs...))
}

// Registry is an explicit, immutable set of checks keyed by ID. It is
// built once (checks/all.Registry) and passed around; there is no global
// registry and no init() registration.
type Registry struct {
	checks []Check // sorted by ID
	byID   map[string]Check
}

// NewRegistry validates every check's metadata and returns the registry.
// Duplicate IDs and invalid metadata are errors, all reported at once.
func NewRegistry(cs ...Check) (*Registry, error) {
	r := &Registry{byID: make(map[string]Check, len(cs))}
	var errs []error
	for i, c := range cs {
		if c == nil {
			errs = append(errs, fmt.Errorf("check #%d is nil", i))
			continue
		}
		m := c.Meta()
		if err := ValidateMeta(m); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := r.byID[m.ID]; dup {
			errs = append(errs, fmt.Errorf("duplicate check ID %s", m.ID))
			continue
		}
		r.byID[m.ID] = c
		r.checks = append(r.checks, c)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("build check registry: %w", errors.Join(errs...))
	}
	sort.Slice(r.checks, func(i, j int) bool { return r.checks[i].Meta().ID < r.checks[j].Meta().ID })
	return r, nil
}

// Checks returns the checks sorted by ID.
func (r *Registry) Checks() []Check { return append([]Check(nil), r.checks...) }

// IDs returns the check IDs, sorted.
func (r *Registry) IDs() []string {
	out := make([]string, len(r.checks))
	for i, c := range r.checks {
		out[i] = c.Meta().ID
	}
	return out
}

// Metas returns every check's metadata, sorted by ID.
func (r *Registry) Metas() []Meta {
	out := make([]Meta, len(r.checks))
	for i, c := range r.checks {
		out[i] = c.Meta()
	}
	return out
}

// Lookup returns the check with this ID.
func (r *Registry) Lookup(id string) (Check, bool) {
	c, ok := r.byID[id]
	return c, ok
}

// UnknownCheckError names check IDs that are not in the registry.
type UnknownCheckError struct {
	Unknown []string
	Valid   []string
}

func (e *UnknownCheckError) Error() string {
	return fmt.Sprintf("unknown check ID %s (valid: %s)", strings.Join(e.Unknown, ", "), strings.Join(e.Valid, ", "))
}

// Select returns a registry holding only the given IDs (blank entries and
// duplicates ignored; IDs are matched case-insensitively). The framework's
// own checks (CEM-WVR-*) are kept whenever they are registered: they judge
// the waivers that shape every other result. An unknown ID is an
// *UnknownCheckError naming it and listing the valid ones; the CLI maps it
// to exit 2.
func (r *Registry) Select(ids []string) (*Registry, error) {
	want := map[string]bool{}
	var unknown []string
	for _, id := range ids {
		id = strings.ToUpper(strings.TrimSpace(id))
		if id == "" || want[id] {
			continue
		}
		if _, ok := r.byID[id]; !ok {
			unknown = append(unknown, id)
			continue
		}
		want[id] = true
	}
	if len(unknown) > 0 {
		return nil, &UnknownCheckError{Unknown: unknown, Valid: r.IDs()}
	}
	out := &Registry{byID: map[string]Check{}}
	for _, c := range r.checks {
		id := c.Meta().ID
		if want[id] || isFrameworkCheck(id) {
			out.byID[id] = c
			out.checks = append(out.checks, c)
		}
	}
	return out, nil
}
