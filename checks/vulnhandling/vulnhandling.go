// Package vulnhandling holds cemark's vulnerability-handling readiness
// checks (CEM-VH-…): a security policy with a reporting channel and a
// disclosure timeline, a valid security.txt, one vulnerability contact
// everywhere, a support period of the length Art. 13(8) asks, an SBOM
// covering the top-level dependencies, and a declared place where fixed
// vulnerabilities are published.
//
// All checks share one collect step, run once per Target through
// Target.Memo; each check's evaluation is pure over those facts. Metadata
// lives in meta/<ID>.yml beside the code.
package vulnhandling

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/input"
	"github.com/cemark/cemark/checks/internal/sigverify"
	"github.com/cemark/cemark/evidence/config"
)

//go:embed meta/*.yml
var metaFS embed.FS

// Check IDs of the family. They are stable: never renamed or reused.
const (
	IDPolicy      = "CEM-VH-001"
	IDSecurityTxt = "CEM-VH-002"
	IDContact     = "CEM-VH-003"
	IDSupport     = "CEM-VH-004"
	IDSBOM        = "CEM-VH-005"
	IDAdvisories  = "CEM-VH-006"
)

var evaluators = []checks.Evaluator[*Collected]{
	{ID: IDPolicy, Eval: evalPolicy},
	{ID: IDSecurityTxt, Eval: evalSecurityTxt},
	{ID: IDContact, Eval: evalContact},
	{ID: IDSupport, Eval: evalSupport},
	{ID: IDSBOM, Eval: evalSBOM},
	{ID: IDAdvisories, Eval: evalAdvisories},
}

// MetaFS is the family's embedded metadata (meta/<ID>.yml), for the
// catalogue test in checks/all.
func MetaFS() fs.FS { return metaFS }

// Checks returns the family's checks in ID order.
func Checks() []checks.Check { return checks.FamilyChecks(metaFS, collect, evaluators) }

// Collected is everything the family's checks judge.
type Collected struct {
	Sheet checks.VulnHandling
	Now   time.Time

	// Policy is the security policy found; nil when there is none.
	Policy *Policy
	// PolicyURL is security.cvd_policy when it is a URL (not checked offline).
	PolicyURL string

	// SecurityTxt is the parsed security.txt; nil when there is none.
	SecurityTxt *SecurityTxt

	// Contact is cemark.yaml security.contact as written.
	Contact string

	Support     config.Support
	FirstPlaced *config.Date
	// FirstTag and FirstTagTime: the first release tag, when the product
	// root is a git repository with tags and first_placed_on_market is unset.
	FirstTag     string
	FirstTagTime time.Time

	SBOM *checks.SBOMInfo

	Advisories config.Advisories
	// CSAFProblems lists what is wrong with a local provider-metadata.json;
	// CSAFChecked is true when it was read.
	CSAFChecked  bool
	CSAFProblems []string
	// FolderFiles counts the files in the advisories folder; FolderError
	// says why it could not be read.
	FolderFiles int
	FolderError string
}

const memoKey = "vulnhandling/facts"

// Facts returns the vulnerability-handling fact sheet of the run, for the
// report and the technical file. It is computed once per Target.
func Facts(ctx context.Context, t *checks.Target) (*checks.VulnHandling, error) {
	f, err := collect(ctx, t)
	if err != nil {
		return nil, err
	}
	s := f.Sheet
	return &s, nil
}

// CollectFacts returns all the family's facts, memoized on the Target.
func CollectFacts(ctx context.Context, t *checks.Target) (*Collected, error) { return collect(ctx, t) }

func collect(ctx context.Context, t *checks.Target) (*Collected, error) {
	return checks.Memoized(t.Memo, memoKey, func() (*Collected, error) { return collectOnce(ctx, t) })
}

// treeMemoKey is the Target.Memo key of the facts read from the tree,
// the repository and the configuration alone (treeFacts).
const treeMemoKey = "vulnhandling/tree"

// treeFacts are the facts that read neither the clock nor the keys given
// for the run: the security policy and the first release tag.
type treeFacts struct {
	policy       *Policy
	firstTag     string
	firstTagTime time.Time
}

// WarmTree does ahead, on t, the family's work that reads only the tree,
// the repository and the configuration: the security policy is read and
// parsed, and the first release tag taken (Target.FirstRelease). A
// pipeline runs it while syft catalogues; the facts collected later are
// the same.
func WarmTree(ctx context.Context, t *checks.Target) error {
	_, err := collectTree(ctx, t)
	return err
}

func collectTree(ctx context.Context, t *checks.Target) (*treeFacts, error) {
	return checks.Memoized(t.Memo, treeMemoKey, func() (*treeFacts, error) {
		cfg := t.Config
		if cfg == nil {
			cfg = &config.Config{}
		}
		var tf treeFacts
		if p := FindPolicy(t, cfg.Security.CVDPolicy); p != "" {
			if data, err := t.Files.Read(p); err == nil {
				tf.policy = ParsePolicy(p, data)
			}
		}
		// Support period: first placed on the market from cemark.yaml,
		// else the first release tag.
		if cfg.Product.FirstPlacedOnMarket == nil && t.FirstRelease != nil {
			if tag, when, ok := t.FirstRelease(); ok {
				tf.firstTag, tf.firstTagTime = tag, when
			}
		}
		// A cancelled git gives no tag, which must not be kept as "none".
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return &tf, nil
	})
}

func collectOnce(ctx context.Context, t *checks.Target) (*Collected, error) {
	cfg := t.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	tf, err := collectTree(ctx, t)
	if err != nil {
		return nil, err
	}
	f := &Collected{
		Now: t.Now, Contact: cfg.Security.Contact, Support: cfg.Product.Support,
		FirstPlaced: cfg.Product.FirstPlacedOnMarket, SBOM: t.SBOM, Advisories: cfg.Advisories,
	}
	if isURL(cfg.Security.CVDPolicy) {
		f.PolicyURL = cfg.Security.CVDPolicy
	}

	f.Policy = tf.policy

	// security.txt, verified with the OpenPGP keys of the run's keyring
	// (the keys given for updates): the same people sign releases and the
	// security contact file, and cemark has one place for trusted keys.
	if found := t.Files.Match(isSecurityTxtPath); len(found) > 0 {
		p := found[0].Path
		for _, e := range found {
			if strings.HasPrefix(e.Path, ".well-known/") {
				p = e.Path
			}
		}
		if data, err := t.Files.Read(p); err == nil {
			f.SecurityTxt = ParseSecurityTxt(p, data, sigverify.Keys(t).OpenPGP(), t.Now)
		}
	}

	f.FirstTag, f.FirstTagTime = tf.firstTag, tf.firstTagTime

	// Advisories.
	if a := cfg.Advisories; a.CSAF != "" && !isURL(a.CSAF) {
		f.CSAFChecked = true
		f.CSAFProblems = checkCSAF(resolve(t.Root, a.CSAF))
	}
	if a := cfg.Advisories; a.Folder != "" {
		n, err := countFiles(resolve(t.Root, a.Folder))
		f.FolderFiles = n
		if err != nil {
			f.FolderError = err.Error()
		}
	}
	fillSheet(f)
	return f, nil
}

func resolve(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, filepath.FromSlash(p))
}

func fillSheet(f *Collected) {
	s := &f.Sheet
	if f.Policy != nil {
		s.SecurityPolicy = f.Policy.Path
		s.ReportingChannel = f.Policy.Channels
		s.DisclosureWindow = f.Policy.Timeline
	} else if f.PolicyURL != "" {
		s.SecurityPolicy = f.PolicyURL
	}
	contacts := map[string]bool{}
	if f.Contact != "" {
		contacts[NormalizeContact(f.Contact)] = true
	}
	if f.SecurityTxt != nil {
		s.SecurityTxt = f.SecurityTxt.Path
		for _, c := range f.SecurityTxt.Contacts {
			contacts[NormalizeContact(c)] = true
		}
		if len(f.SecurityTxt.Expires) > 0 {
			s.SecurityTxtExpires = f.SecurityTxt.Expires[0]
		}
	}
	for c := range contacts {
		s.Contacts = append(s.Contacts, c)
	}
	sort.Strings(s.Contacts)
	if f.Support.End != nil {
		s.SupportEnd = f.Support.End.String()
	}
	if start, src, ok := f.supportStart(); ok {
		s.SupportStart, s.SupportStartSource = start.String(), src
	}
	a := f.Advisories
	if a.GitHub {
		s.Advisories = append(s.Advisories, "GitHub security advisories")
	}
	if a.CSAF != "" {
		s.Advisories = append(s.Advisories, "CSAF provider "+a.CSAF)
	}
	if a.Folder != "" {
		s.Advisories = append(s.Advisories, "advisories folder "+a.Folder)
	}
	if a.URL != "" {
		s.Advisories = append(s.Advisories, a.URL)
	}
}

// supportStart is when the product was first placed on the market.
func (f *Collected) supportStart() (config.Date, string, bool) {
	if f.FirstPlaced != nil {
		return *f.FirstPlaced, "cemark.yaml product.first_placed_on_market", true
	}
	if f.FirstTag != "" {
		y, m, d := f.FirstTagTime.Date()
		return config.Date{Year: y, Month: m, Day: d}, "first release tag " + f.FirstTag, true
	}
	return config.Date{}, "", false
}

// checkCSAF reads a local CSAF provider-metadata.json and lists what the
// CSAF 2.0 provider metadata requires and it lacks.
func checkCSAF(p string) []string {
	data, err := input.ReadRegular(p, checks.MaxFileSize)
	if err != nil {
		return []string{"cannot read " + filepath.Base(p) + ": " + err.Error()}
	}
	var doc struct {
		CanonicalURL    string          `json:"canonical_url"`
		MetadataVersion string          `json:"metadata_version"`
		Publisher       json.RawMessage `json:"publisher"`
		Role            string          `json:"role"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return []string{"not valid JSON: " + err.Error()}
	}
	var problems []string
	if doc.CanonicalURL == "" {
		problems = append(problems, "canonical_url is missing")
	}
	if doc.MetadataVersion != "2.0" {
		problems = append(problems, fmt.Sprintf("metadata_version is %q, want \"2.0\"", doc.MetadataVersion))
	}
	var pub map[string]any
	if len(doc.Publisher) == 0 || json.Unmarshal(doc.Publisher, &pub) != nil || len(pub) == 0 {
		problems = append(problems, "publisher is missing or not an object")
	}
	return problems
}

func countFiles(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n, err
}
