package vulnhandling

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

func evalPolicy(f *Collected) []checks.Finding {
	p := f.Policy
	if p == nil {
		if f.PolicyURL != "" {
			return []checks.Finding{{Outcome: checks.Warn, Path: config.FileName, Key: "policy-url",
				Message: "security.cvd_policy points to " + f.PolicyURL + ", outside the repository: not checked offline for a reporting channel and a timeline"}}
		}
		return []checks.Finding{{Outcome: checks.Fail, Key: "no-policy",
			Message: "no security policy found (SECURITY.md, .github/SECURITY.md, docs/SECURITY.md, or a local file in security.cvd_policy)"}}
	}
	var out []checks.Finding
	if len(p.Channels) == 0 {
		out = append(out, checks.Finding{Outcome: checks.Fail, Path: p.Path, Key: "channel",
			Message: p.Path + " names no reporting channel (an e-mail address, a reporting URL, or GitHub private vulnerability reporting)"})
	}
	if p.Timeline == "" {
		out = append(out, checks.Finding{Outcome: checks.Warn, Path: p.Path, Key: "timeline",
			Message: p.Path + " gives no disclosure timeline (e.g. \"we disclose within 90 days\", \"coordinated disclosure\")"})
	}
	if len(out) == 0 {
		out = append(out, checks.Finding{Outcome: checks.Pass, Severity: checks.SeverityInfo, Path: p.Path, Line: p.ChannelLine, Key: "policy",
			Message: fmt.Sprintf("%s names %s and the timeline %q", p.Path, strings.Join(p.Channels, ", "), p.Timeline),
			Values:  map[string]string{"channels": strings.Join(p.Channels, " "), "timeline": p.Timeline}})
	}
	return out
}

func evalSecurityTxt(f *Collected) []checks.Finding {
	st := f.SecurityTxt
	if st == nil {
		return []checks.Finding{{Outcome: checks.Info, Severity: checks.SeverityInfo, Key: "absent",
			Message: "no security.txt (.well-known/security.txt); RFC 9116 recommends one so reporters find the contact"}}
	}
	var out []checks.Finding
	for _, pr := range st.Problems(f.Now) {
		o := checks.Warn
		if pr.Fail {
			o = checks.Fail
		}
		out = append(out, checks.Finding{Outcome: o, Path: st.Path, Line: pr.Line, Key: pr.Key, Message: st.Path + ": " + pr.Message})
	}
	if st.Signed && !st.SignatureBad {
		o := checks.Info
		if st.SignatureOK {
			o = checks.Pass
		}
		out = append(out, checks.Finding{Outcome: o, Severity: checks.SeverityInfo, Path: st.Path, Line: 1, Key: "signature", Message: st.Path + ": " + st.Signature})
	}
	failing := false
	for _, fd := range out {
		failing = failing || fd.Outcome == checks.Fail || fd.Outcome == checks.Warn
	}
	if !failing {
		out = append(out, checks.Finding{Outcome: checks.Pass, Severity: checks.SeverityInfo, Path: st.Path, Key: "valid",
			Message: fmt.Sprintf("%s has Contact, Policy and Expires %s", st.Path, strings.Join(st.Expires, ""))})
	}
	return out
}

func evalContact(f *Collected) []checks.Finding {
	if strings.TrimSpace(f.Contact) == "" {
		return []checks.Finding{{Outcome: checks.Fail, Path: config.FileName, Key: "contact",
			Message: "security.contact is not set in cemark.yaml: the single point of contact for vulnerability reports is not stated (Art. 13(17), Annex II 2)"}}
	}
	want := NormalizeContact(f.Contact)
	var out []checks.Finding
	places := []string{"cemark.yaml"}
	if p := f.Policy; p != nil && len(p.Channels) > 0 {
		if !hasContact(p.Channels, want) {
			out = append(out, checks.Finding{Outcome: checks.Fail, Path: p.Path, Line: p.ChannelLine, Key: "policy",
				Message: fmt.Sprintf("cemark.yaml security.contact is %s, but %s names %s", f.Contact, p.Path, strings.Join(p.Channels, ", ")),
				Values:  map[string]string{"config": f.Contact, "policy": strings.Join(p.Channels, " ")}})
		} else {
			places = append(places, p.Path)
		}
	}
	if st := f.SecurityTxt; st != nil && len(st.Contacts) > 0 {
		norm := make([]string, 0, len(st.Contacts))
		for _, c := range st.Contacts {
			norm = append(norm, NormalizeContact(c))
		}
		sort.Strings(norm)
		if !hasContact(norm, want) {
			out = append(out, checks.Finding{Outcome: checks.Fail, Path: st.Path, Line: st.ContactLine, Key: "security.txt",
				Message: fmt.Sprintf("cemark.yaml security.contact is %s, but %s's Contact is %s", f.Contact, st.Path, strings.Join(st.Contacts, ", ")),
				Values:  map[string]string{"config": f.Contact, "security_txt": strings.Join(st.Contacts, " ")}})
		} else {
			places = append(places, st.Path)
		}
	}
	if len(out) == 0 {
		out = append(out, checks.Finding{Outcome: checks.Pass, Severity: checks.SeverityInfo, Path: config.FileName, Key: "contact",
			Message: fmt.Sprintf("vulnerability contact %s is the same in %s", f.Contact, strings.Join(places, ", "))})
	}
	return out
}

// hasContact reports whether the normalised contact is among channels. A
// GitHub security-advisories URL also matches a policy that points to
// GitHub private vulnerability reporting in words.
func hasContact(channels []string, want string) bool {
	for _, c := range channels {
		if c == want {
			return true
		}
		if c == ChannelGitHubPVR && strings.Contains(want, "github.com/") && strings.Contains(want, "/security") {
			return true
		}
	}
	return false
}

func evalSupport(f *Collected) []checks.Finding {
	end := f.Support.End
	if end == nil {
		return []checks.Finding{{Outcome: checks.Fail, Path: config.FileName, Key: "end",
			Message: "product.support.end is not declared: users must know until when security updates come (Art. 13(8), Annex II 7)"}}
	}
	var out []checks.Finding
	add := func(o checks.Outcome, key, msg string) {
		out = append(out, checks.Finding{Outcome: o, Path: config.FileName, Key: key, Message: msg,
			Values: map[string]string{"support_end": end.String()}})
	}
	switch {
	case end.Before(f.Now):
		add(checks.Fail, "ended", fmt.Sprintf("the support period ended on %s", end))
	case end.Before(f.Now.AddDate(1, 0, 0)):
		add(checks.Warn, "ending", fmt.Sprintf("the support period ends on %s, less than a year from now: extend it or plan the end-of-support notice (Art. 13(19))", end))
	}
	start, src, ok := f.supportStart()
	switch {
	case !ok:
		add(checks.Warn, "start-unknown", fmt.Sprintf("support ends on %s, but when the product was first placed on the market is unknown (set product.first_placed_on_market; no release tag found): the five-year minimum cannot be checked", end))
	case end.Before(start.AddYears(5).Time()):
		years := float64(end.Time().Sub(start.Time()).Hours()) / 24 / 365.25
		if strings.TrimSpace(f.Support.Rationale) != "" {
			add(checks.Pass, "length", fmt.Sprintf("support from %s (%s) to %s is %.1f years, under five, with a rationale for the shorter expected use: %q", start, src, end, years, f.Support.Rationale))
		} else {
			add(checks.Fail, "length", fmt.Sprintf("support from %s (%s) to %s is %.1f years, under the five Art. 13(8) asks, and product.support.rationale gives no reason for a shorter expected use", start, src, end, years))
		}
	default:
		if len(out) == 0 {
			add(checks.Pass, "length", fmt.Sprintf("support from %s (%s) to %s: at least five years", start, src, end))
		}
	}
	for i := range out {
		if out[i].Outcome == checks.Pass {
			out[i].Severity = checks.SeverityInfo
		}
	}
	return out
}

func evalSBOM(f *Collected) []checks.Finding {
	s := f.SBOM
	if s == nil {
		return []checks.Finding{{Outcome: checks.NotApplicable, Key: "sbom",
			Message: "the SBOM stage did not run in this invocation: SBOM coverage not assessed"}}
	}
	path := s.CycloneDXPath
	if path == "" {
		path = s.SPDXPath
	}
	values := map[string]string{"components": fmt.Sprint(s.Components), "top_level": fmt.Sprint(len(s.TopLevel)), "declared_direct": fmt.Sprint(s.DeclaredDirect)}
	switch {
	case s.Components == 0 && s.DeclaredDirect > 0:
		return []checks.Finding{{Outcome: checks.Fail, Path: path, Key: "sbom", Values: values,
			Message: fmt.Sprintf("the SBOM lists no component although the manifests declare %d direct dependencies: it does not document the product's dependencies (Annex I Part II (1))", s.DeclaredDirect)}}
	case s.Components == 0:
		// A product with no third-party dependency has an empty SBOM, and
		// that is correct; but cemark cannot tell it from one whose
		// dependencies it did not find, so a person must look.
		return []checks.Finding{{Outcome: checks.Warn, Path: path, Key: "sbom", Values: values,
			Message: "the SBOM lists no component and no manifest cemark reads declares a dependency: if the product has dependencies (vendored C libraries, a base image), add the sources that contain them"}}
	case s.DeclaredDirect > 0 && len(s.TopLevel) == 0:
		// Nothing links a component to the product: the catalogue has the
		// packages but syft recorded no dependency graph for these
		// ecosystems (a lock file without one, vendored code). The SBOM is
		// not short; what is missing is the graph.
		return []checks.Finding{{Outcome: checks.Warn, Path: path, Key: "dependency-graph", Values: values,
			Message: fmt.Sprintf("the SBOM lists %d components but records no dependency graph: none is linked to the product as a direct dependency, so the %d direct dependencies the manifests declare cannot be told apart from transitive ones", s.Components, s.DeclaredDirect)}}
	case s.DeclaredDirect > len(s.TopLevel):
		return []checks.Finding{{Outcome: checks.Warn, Path: path, Key: "top-level", Values: values,
			Message: fmt.Sprintf("the manifests declare %d direct dependencies but the SBOM has %d top-level components: some top-level dependencies may be missing", s.DeclaredDirect, len(s.TopLevel))}}
	}
	return []checks.Finding{{Outcome: checks.Pass, Severity: checks.SeverityInfo, Path: path, Key: "sbom", Values: values,
		Message: fmt.Sprintf("the SBOM lists %d components, %d of them top-level dependencies (%d declared direct)", s.Components, len(s.TopLevel), s.DeclaredDirect)}}
}

func evalAdvisories(f *Collected) []checks.Finding {
	a := f.Advisories
	var out []checks.Finding
	pass := func(key, msg string) {
		out = append(out, checks.Finding{Outcome: checks.Pass, Severity: checks.SeverityInfo, Path: config.FileName, Key: key, Message: msg})
	}
	if a.GitHub {
		pass("github", "fixed vulnerabilities are published as GitHub security advisories (declared; not checked offline)")
	}
	switch {
	case a.CSAF == "":
	case !f.CSAFChecked:
		pass("csaf", "fixed vulnerabilities are published through the CSAF provider "+a.CSAF+" (declared; a URL is not checked offline)")
	case len(f.CSAFProblems) > 0:
		out = append(out, checks.Finding{Outcome: checks.Fail, Path: a.CSAF, Key: "csaf",
			Message: "CSAF provider metadata " + a.CSAF + ": " + strings.Join(f.CSAFProblems, "; ")})
	default:
		pass("csaf", "CSAF provider metadata "+a.CSAF+" is valid (canonical_url, publisher, metadata_version 2.0)")
	}
	switch {
	case a.Folder == "":
	case f.FolderError != "":
		out = append(out, checks.Finding{Outcome: checks.Fail, Path: config.FileName, Key: "folder",
			Message: "advisories folder " + a.Folder + " cannot be read: " + f.FolderError})
	case f.FolderFiles == 0:
		out = append(out, checks.Finding{Outcome: checks.Fail, Path: config.FileName, Key: "folder",
			Message: "advisories folder " + a.Folder + " holds no advisory"})
	default:
		pass("folder", fmt.Sprintf("advisories folder %s holds %d file(s)", a.Folder, f.FolderFiles))
	}
	if a.URL != "" {
		pass("url", "fixed vulnerabilities are published at "+a.URL+" (declared; not checked offline)")
	}
	if len(out) == 0 {
		out = append(out, checks.Finding{Outcome: checks.Warn, Path: config.FileName, Key: "none",
			Message: "cemark.yaml advisories: declares no place where fixed vulnerabilities are published (GitHub advisories, CSAF provider, advisories folder or URL)"})
	}
	return out
}
