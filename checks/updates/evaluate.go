package updates

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/internal/sigverify"
	"github.com/cemark/cemark/evidence/config"
)

func evalPipeline(f *Collected) []checks.Finding {
	var out []checks.Finding
	for _, e := range f.PipelineErrors {
		out = append(out, checks.Finding{Outcome: checks.Warn, Message: "release configuration could not be read: " + e, Key: "parse-error"})
	}
	signs := 0
	for _, s := range f.Signing.Pipeline {
		if Signs(s) {
			signs++
		}
		what := s.Tool + " " + s.Action
		if s.Detail != "" && s.Detail != s.Action {
			what += " (" + s.Detail + ")"
		}
		msg := "release signing step: " + what
		switch {
		case s.Action == ActionInstall:
			msg = "signing tool installed: " + what + "; it signs only where a later step runs it"
		case !Signs(s):
			msg = "release SBOM step: " + what
		}
		out = append(out, checks.Finding{
			Outcome: checks.Info, Severity: checks.SeverityInfo, Message: msg,
			Path: s.Path, Line: s.Line, Key: s.Tool + "/" + s.Action,
			Values: map[string]string{"tool": s.Tool, "action": s.Action},
		})
	}
	if signs == 0 {
		out = append(out, checks.Finding{
			Outcome: checks.Warn,
			Message: "no release signing step found in .goreleaser.yml, .github/workflows or .gitlab-ci.yml; " +
				"if releases are signed elsewhere, describe it in the technical file (CEM-UPD-002 checks the shipped signatures)",
			Key: "no-signing-step",
		})
	}
	return out
}

func evalArtifacts(f *Collected) []checks.Finding {
	var out []checks.Finding
	for _, e := range f.KeyErrors {
		out = append(out, checks.Finding{Outcome: checks.Warn, Message: "signing key could not be loaded: " + e, Path: config.FileName, Key: "key-error"})
	}
	for _, g := range f.UnmatchedGlobs {
		out = append(out, checks.Finding{Outcome: checks.Warn, Message: fmt.Sprintf("updates.artifacts glob %q matches no file", g), Path: config.FileName, Key: "glob:" + g})
	}
	if len(f.Signing.Artifacts) == 0 {
		out = append(out, checks.Finding{
			Outcome: checks.NotApplicable,
			Message: "no shipped artefacts named (--artifacts or updates.artifacts in cemark.yaml): signatures not assessed",
			Key:     "no-artifacts",
		})
		return out
	}
	for _, a := range f.Signing.Artifacts {
		fd := checks.Finding{Path: a.Path, Key: a.Path, Values: map[string]string{"verdict": a.Verdict, "sha256": a.SHA256}}
		if a.Method != "" {
			fd.Values["method"] = a.Method
		}
		if a.Signature != "" {
			fd.Values["signature"] = a.Signature
		}
		if a.KeyID != "" {
			fd.Values["key_id"] = a.KeyID
		}
		signer, keyless := f.keylessSigner(a.Path)
		if keyless {
			fd.Values["identity"], fd.Values["issuer"] = signer.Identity, signer.Issuer
			fd.Values["identity_pinned"] = fmt.Sprint(signer.PinnedBy != "")
			if signer.PinnedBy != "" {
				fd.Values["pinned_by"] = signer.PinnedBy
			}
		}
		switch a.Verdict {
		case sigverify.VerdictVerified:
			fd.Outcome, fd.Severity = checks.Pass, checks.SeverityInfo
			fd.Message = fmt.Sprintf("%s: signature verified (%s, %s) with key %s", a.Path, a.Method, a.Signature, a.KeyID)
			if keyless {
				fd.Message = keylessVerifiedMessage(a, signer)
				// An unpinned keyless signature shows the bytes are unchanged
				// since someone signed them, not that the manufacturer did:
				// any identity the trusted root certifies could have. That
				// is a gap in the authenticity evidence, so it warns.
				if signer.PinnedBy == "" {
					fd.Outcome, fd.Severity = checks.Warn, checks.SeverityMedium
				}
			}
		case sigverify.VerdictIdentityMismatch:
			fd.Outcome, fd.Severity = checks.Fail, checks.SeverityHigh
			fd.Message = fmt.Sprintf("%s: UNEXPECTED SIGNER (%s, %s): %s", a.Path, a.Method, a.Signature, a.Detail)
		case sigverify.VerdictUnverifiable:
			fd.Outcome = checks.Warn
			fd.Message = fmt.Sprintf("%s: signed (%s, %s) but not verifiable here: %s", a.Path, a.Method, a.Signature, a.Detail)
		case sigverify.VerdictUnsigned:
			fd.Outcome = checks.Fail
			fd.Message = fmt.Sprintf("%s: unsigned: %s", a.Path, a.Detail)
		case sigverify.VerdictBadSignature:
			fd.Outcome, fd.Severity = checks.Fail, checks.SeverityHigh
			fd.Message = fmt.Sprintf("%s: BAD SIGNATURE (%s, %s): %s", a.Path, a.Method, a.Signature, a.Detail)
		case sigverify.VerdictDigestMismatch:
			fd.Outcome, fd.Severity = checks.Fail, checks.SeverityHigh
			fd.Message = fmt.Sprintf("%s: DIGEST MISMATCH (%s): %s", a.Path, a.Signature, a.Detail)
		default:
			fd.Outcome = checks.Error
			fd.Message = fmt.Sprintf("%s: unknown verdict %q", a.Path, a.Verdict)
		}
		out = append(out, fd)
	}
	return out
}

// keylessVerifiedMessage says who signed keylessly and whether that signer
// is one cemark.yaml pins; an unpinned signer is said plainly, with the
// cemark.yaml lines that pin it.
func keylessVerifiedMessage(a checks.ArtifactVerdict, s sigverify.KeylessSigner) string {
	msg := fmt.Sprintf("%s: keyless signature verified against the trusted root (%s, %s): certificate identity %s, issuer %s",
		a.Path, a.Method, a.Signature, s.Identity, s.Issuer)
	if s.PinnedBy != "" {
		return msg + ", a pinned identity (" + s.PinnedBy + ")"
	}
	return msg + ". The signer identity is NOT PINNED: a signature by any identity this trusted root certifies would pass as well. " +
		fmt.Sprintf("If this is the release identity, pin it in cemark.yaml: updates: {keyless_identities: [{issuer: %q, identity: %q}]} "+
			"(or identity_regexp: an RE2 regular expression the whole identity must match)", s.Issuer, s.Identity)
}

// keyConfigured tells, for updaters found without a key, that the finding
// is a gap rather than a fact.
func missingKey(e checks.UpdaterEvidence) bool {
	return e.Confidence == Low && (e.Kind == KindMender || e.Kind == KindRAUC || e.Kind == KindSelfUpdate || e.Kind == KindSWUpdate)
}

func evalClient(f *Collected) []checks.Finding {
	var out []checks.Finding
	for _, e := range f.Signing.Client {
		fd := checks.Finding{
			Outcome: checks.Info, Severity: checks.SeverityInfo,
			Message: fmt.Sprintf("update verification evidence (%s, %s confidence): %s", e.Kind, e.Confidence, e.Detail),
			Path:    e.Path, Line: e.Line, Key: e.Kind,
			Values: map[string]string{"kind": e.Kind, "confidence": e.Confidence},
		}
		if missingKey(e) {
			fd.Outcome, fd.Severity = checks.Warn, ""
			fd.Message = fmt.Sprintf("updater without signature verification configured (%s): %s", e.Kind, e.Detail)
		}
		out = append(out, fd)
	}
	if len(f.Signing.Client) == 0 {
		out = append(out, checks.Finding{
			Outcome: checks.Info, Severity: checks.SeverityInfo,
			Message: "no in-product update client found (TUF, sigstore, minisign, signature verification, self-update library, Mender, RAUC, SWUpdate); " +
				"how updates reach users must be stated in cemark.yaml (CEM-UPD-004)",
			Key: "no-client",
		})
	}
	return out
}

// hasUpdater reports whether the product holds an updater that verifies.
func hasUpdater(f *Collected) bool {
	for _, e := range f.Signing.Client {
		if e.Confidence == High || e.Confidence == Medium {
			return true
		}
	}
	return false
}

func evalStatement(f *Collected) []checks.Finding {
	s := f.Statement
	var out []checks.Finding
	add := func(o checks.Outcome, key, msg string) {
		out = append(out, checks.Finding{Outcome: o, Message: msg, Path: config.FileName, Key: key})
	}
	if strings.TrimSpace(s.Mechanism) == "" {
		if hasUpdater(f) {
			add(checks.Warn, "mechanism", "updates.mechanism is not stated; an updater was found in the product, but the technical file needs its description (Annex VII 2(b))")
		} else {
			add(checks.Fail, "mechanism", "updates.mechanism is not stated and no updater was found in the product: nothing shows how security updates reach users (Annex I Part I (2)(c))")
		}
	}
	switch {
	case s.Automatic == nil:
		add(checks.Warn, "automatic", "updates.automatic is not stated: say whether security updates install automatically by default (Annex I Part I (2)(c))")
	case *s.Automatic && strings.TrimSpace(s.OptOut) == "":
		add(checks.Warn, "opt-out", "updates are automatic but updates.opt_out does not say how users switch them off (Annex I Part I (2)(c), Annex II 8(e))")
	case !*s.Automatic && !f.AutomaticJustified:
		add(checks.Warn, "automatic", "security updates are not automatic by default and risk_assessment[\"I-2c\"] gives no justification (Annex I Part I (2)(c): automatic by default where applicable)")
	}
	if strings.TrimSpace(s.Notification) == "" {
		add(checks.Warn, "notification", "updates.notification does not say how users learn of available updates (Annex I Part I (2)(c))")
	}
	if strings.TrimSpace(s.Postpone) == "" {
		add(checks.Warn, "postpone", "updates.postpone does not say how users can temporarily postpone an update (Annex I Part I (2)(c): \"the option to temporarily postpone them\")")
	}
	if len(out) == 0 {
		auto := "automatic by default"
		if s.Automatic != nil && !*s.Automatic {
			auto = "not automatic (justified in risk_assessment I-2c)"
		}
		out = append(out, checks.Finding{
			Outcome: checks.Pass, Severity: checks.SeverityInfo, Path: config.FileName, Key: "statement",
			Message: fmt.Sprintf("updates reach users by %q, %s; opt-out: %q; notification: %q; postpone: %q", s.Mechanism, auto, s.OptOut, s.Notification, s.Postpone),
		})
	}
	return out
}

func evalConsistency(f *Collected) []checks.Finding {
	var out []checks.Finding
	declared := map[string]string{} // normalised fingerprint -> source
	for _, k := range f.Keys {
		if k.DeclaredFingerprint == "" {
			continue
		}
		declared[sigverify.NormalizeFingerprint(k.DeclaredFingerprint)] = k.Source
		if k.Path == "" {
			continue
		}
		if k.DeclaredMatches {
			out = append(out, checks.Finding{Outcome: checks.Pass, Severity: checks.SeverityInfo, Path: config.FileName, Key: "key:" + k.Path,
				Message: fmt.Sprintf("%s: key file %s has the declared fingerprint %s", k.Source, k.Path, k.DeclaredFingerprint)})
			continue
		}
		out = append(out, checks.Finding{Outcome: checks.Fail, Path: config.FileName, Key: "key:" + k.Path,
			Message: fmt.Sprintf("%s: key file %s has fingerprint %s, but cemark.yaml declares %s", k.Source, k.Path, k.Fingerprint, k.DeclaredFingerprint),
			Values:  map[string]string{"declared": k.DeclaredFingerprint, "actual": k.Fingerprint}})
	}
	if len(declared) == 0 {
		return append(out, checks.Finding{Outcome: checks.NotApplicable, Path: config.FileName, Key: "no-fingerprints",
			Message: "no key fingerprint declared in updates.keys: nothing to compare the verifying keys with"})
	}
	for _, a := range f.Signing.Artifacts {
		// A keyless signature names an identity, not a key: there is no
		// fingerprint to compare it with (CEM-UPD-002 judges the identity).
		if _, keyless := f.keylessSigner(a.Path); keyless || a.Verdict != sigverify.VerdictVerified || a.Method == sigverify.MethodSigstoreKeyless {
			continue
		}
		if src, ok := declared[sigverify.NormalizeFingerprint(a.KeyID)]; ok {
			out = append(out, checks.Finding{Outcome: checks.Pass, Severity: checks.SeverityInfo, Path: a.Path, Key: a.Path,
				Message: fmt.Sprintf("%s is verified by the declared key %s (%s)", a.Path, a.KeyID, src)})
			continue
		}
		fps := make([]string, 0, len(declared))
		for fp := range declared {
			fps = append(fps, fp)
		}
		sort.Strings(fps)
		out = append(out, checks.Finding{Outcome: checks.Fail, Path: a.Path, Key: a.Path,
			Message: fmt.Sprintf("%s is verified by key %s, which is not a declared fingerprint (%s)", a.Path, a.KeyID, strings.Join(fps, ", ")),
			Values:  map[string]string{"key_id": a.KeyID}})
	}
	return out
}
