package attest

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/tuf"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/evidencedir"
)

// VerifyOptions says what to verify and against what.
type VerifyOptions struct {
	// Attestations are files: JSON Lines (.jsonl) of DSSE envelopes or
	// Sigstore bundles, single DSSE envelopes (.dsse.json) and single
	// Sigstore bundles (.sigstore.json). A file is read as JSON Lines when
	// it holds more than one line with content.
	Attestations []string
	// KeyFiles are trusted PEM PKIX public keys (ECDSA P-256, Ed25519),
	// for envelopes and key-based bundles.
	KeyFiles []string
	// Identities pin who may have signed keyless bundles (cosign's
	// --certificate-identity[-regexp] and --certificate-oidc-issuer); the
	// policy's identities add to them. A keyless bundle verifies only
	// against a pinned identity.
	Identities []config.KeylessIdentity
	// TrustedRoot is the Sigstore trusted_root.json keyless bundles are
	// verified against; empty: the public-good root through TUF (cached).
	TrustedRoot string
	// TUF configures the TUF client when TrustedRoot is empty (tests).
	TUF *tuf.Options
	// Subjects are artefact files whose sha256 must be a subject of every
	// statement.
	Subjects []string
	// Require lists predicate types that must be present.
	Require []string
	// PolicyFile is an optional YAML policy (see Policy).
	PolicyFile string
	// At is the time the support-period rule compares against; zero: now.
	At time.Time
	// MaxSize bounds each attestation file (an envelope or a bundle) in
	// bytes; a larger one is rejected before it is read. Zero means
	// DefaultMaxAttestationSize.
	MaxSize int64
}

// DefaultMaxAttestationSize is the default bound on one attestation file:
// far above any real envelope or bundle, far below what would exhaust
// memory.
const DefaultMaxAttestationSize int64 = 64 << 20

// maxKeySize bounds a public key or policy file: a few KiB in practice.
const maxKeySize = 1 << 20

// VerifyReport is the result. Verified is false when any step failed;
// Failures says why, one line each, in the order checked.
type VerifyReport struct {
	Verified     bool                `json:"verified"`
	Keys         []KeyInfo           `json:"keys"`
	Identities   []IdentityInfo      `json:"identities,omitempty"`
	TrustedRoot  string              `json:"trustedRoot,omitempty"`
	Attestations []AttestationResult `json:"attestations"`
	Artefacts    []ArtefactResult    `json:"artefacts,omitempty"`
	Required     []RequiredResult    `json:"required,omitempty"`
	Policy       string              `json:"policy,omitempty"`
	Rules        []RuleResult        `json:"rules,omitempty"`
	Failures     []string            `json:"failures,omitempty"`
}

// KeyInfo is a trusted key.
type KeyInfo struct {
	File string `json:"file"`
	ID   string `json:"id"`
	Type string `json:"type"`
}

// AttestationResult is one envelope's verdict.
type AttestationResult struct {
	// Source is "file" or "file:line".
	Source        string   `json:"source"`
	PredicateType string   `json:"predicateType,omitempty"`
	KeyID         string   `json:"keyId,omitempty"`
	Subjects      []string `json:"subjects,omitempty"`
	OK            bool     `json:"ok"`
	Error         string   `json:"error,omitempty"`
	// Identity and Issuer name a keyless signer (its certificate's subject
	// alternative name and OIDC issuer); LogIndex is its Rekor entry.
	Identity string `json:"identity,omitempty"`
	Issuer   string `json:"issuer,omitempty"`
	LogIndex *int64 `json:"logIndex,omitempty"`
	// ReportFile is the report.json read in place of a report attested by
	// digest, its SHA-256 the statement's.
	ReportFile string `json:"reportFile,omitempty"`

	payload   []byte
	predicate json.RawMessage
	sha256s   map[string]bool
}

// ArtefactResult is one --subject file's verdict.
type ArtefactResult struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
}

// RequiredResult is one --require.
type RequiredResult struct {
	PredicateType string `json:"predicateType"`
	Present       bool   `json:"present"`
}

// RuleResult is one policy rule's verdict: "pass" or "fail".
type RuleResult struct {
	Rule    string `json:"rule"`
	Verdict string `json:"verdict"`
	Detail  string `json:"detail"`
}

type trustedKey struct {
	KeyInfo
	pub crypto.PublicKey
}

// Verify checks, in order: each envelope or bundle is well formed; its
// signature is valid for a trusted key, or (keyless bundles) its
// certificate chains to the trusted root, its Rekor entry is proven,
// the certificate was valid when logged and names a pinned identity; its
// payload type is in-toto's; its payload is an in-toto Statement v1; every
// given artefact's sha256 is among its subjects; then the required
// predicate types are present and the policy rules hold. A failed check is
// reported in VerifyReport (Verified false); the error is for tool
// failures only (unreadable file, bad policy, no trusted root).
func Verify(ctx context.Context, opts VerifyOptions) (*VerifyReport, error) {
	rep := &VerifyReport{Keys: []KeyInfo{}, Attestations: []AttestationResult{}}
	if len(opts.Attestations) == 0 {
		return nil, fmt.Errorf("verify: no attestation file given")
	}
	var policy *Policy
	if opts.PolicyFile != "" {
		p, err := LoadPolicy(opts.PolicyFile)
		if err != nil {
			return nil, err
		}
		policy = p
		rep.Policy = opts.PolicyFile
	}
	kt := &keylessTrust{rootPath: opts.TrustedRoot, tuf: opts.TUF}
	pins, err := pinIdentities(opts.Identities, "flags")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoTrust, err)
	}
	kt.pins = pins
	if policy != nil {
		pins, err := pinIdentities(policy.Identities, "policy")
		if err != nil {
			return nil, &PolicyError{Path: opts.PolicyFile, Err: err}
		}
		kt.pins = append(kt.pins, pins...)
	}
	for _, p := range kt.pins {
		rep.Identities = append(rep.Identities, p.IdentityInfo)
	}
	if len(opts.KeyFiles) == 0 && len(kt.pins) == 0 {
		return nil, ErrNoTrust
	}
	var keys []trustedKey
	for _, kf := range opts.KeyFiles {
		b, err := contain.ReadRegular(kf, maxKeySize)
		if err != nil {
			return nil, fmt.Errorf("read key: %w", err)
		}
		pub, err := ParsePublicKeyPEM(b)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", kf, err)
		}
		id, err := KeyID(pub)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", kf, err)
		}
		ki := KeyInfo{File: kf, ID: id, Type: KeyTypeOf(pub)}
		keys = append(keys, trustedKey{KeyInfo: ki, pub: pub})
		rep.Keys = append(rep.Keys, ki)
	}
	artefacts := make([]ArtefactResult, 0, len(opts.Subjects))
	for _, sf := range opts.Subjects {
		d, err := fileDigests(sf, 0)
		if err != nil {
			return nil, err
		}
		artefacts = append(artefacts, ArtefactResult{Path: sf, SHA256: d["sha256"], OK: true})
	}

	fail := func(msg string) { rep.Failures = append(rep.Failures, msg) }
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxAttestationSize
	}
	for _, af := range opts.Attestations {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Bounded before anything is decoded: a huge file is rejected by
		// its size, not read into memory.
		data, err := contain.ReadRegular(af, maxSize)
		var tooLarge *contain.TooLargeError
		if errors.As(err, &tooLarge) {
			msg := fmt.Sprintf("%d bytes, over the bound of %d bytes for one envelope or bundle (--max-size); not read", tooLarge.Size, maxSize)
			rep.Attestations = append(rep.Attestations, AttestationResult{Source: af, Error: msg})
			fail(af + ": " + msg)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read attestations: %w", err)
		}
		items, perr := parseAttestationFile(af, data)
		if perr != nil {
			rep.Attestations = append(rep.Attestations, AttestationResult{Source: af, Error: perr.Error()})
			fail(af + ": " + perr.Error())
			continue
		}
		for _, it := range items {
			var res AttestationResult
			if it.bundle != nil {
				if res, err = verifyBundle(ctx, it.bundle, keys, kt); err != nil {
					return nil, err
				}
			} else {
				res = verifyEnvelope(ctx, it.env, keys)
			}
			res.Source = it.source
			if res.OK && res.PredicateType == PredicateReport {
				resolveReportFile(&res, af, maxSize)
			}
			if res.OK {
				for j := range artefacts {
					if !res.sha256s[artefacts[j].SHA256] {
						res.OK = false
						res.Error = fmt.Sprintf("artefact %s (sha256:%s) is not a subject of this statement (subjects: %s)",
							artefacts[j].Path, artefacts[j].SHA256, strings.Join(res.Subjects, ", "))
						if artefacts[j].OK {
							artefacts[j].OK = false
							artefacts[j].Error = "not a subject of " + res.Source
						}
						break
					}
				}
			}
			if !res.OK {
				fail(res.Source + ": " + res.Error)
			}
			rep.Attestations = append(rep.Attestations, res)
		}
	}
	verified := 0
	for _, a := range rep.Attestations {
		if a.OK {
			verified++
		}
	}
	for j := range artefacts {
		if verified == 0 && artefacts[j].OK {
			artefacts[j].OK = false
			artefacts[j].Error = "not checked: no statement verified"
		}
	}
	rep.Artefacts = artefacts

	present := map[string]bool{}
	for _, a := range rep.Attestations {
		if a.OK {
			present[a.PredicateType] = true
		}
	}
	for _, req := range opts.Require {
		ok := present[req]
		rep.Required = append(rep.Required, RequiredResult{PredicateType: req, Present: ok})
		if !ok {
			fail(fmt.Sprintf("required predicate type %s not found among the verified statements (found: %s)", req, strings.Join(sortedKeys(present), ", ")))
		}
	}
	if policy != nil {
		at := opts.At
		if at.IsZero() {
			at = time.Now()
		}
		rep.Rules = policy.Evaluate(verifiedPredicates(rep.Attestations), at)
		for _, r := range rep.Rules {
			if r.Verdict != VerdictPass {
				fail("policy rule " + r.Rule + ": " + r.Detail)
			}
		}
	}
	rep.TrustedRoot = kt.source
	rep.Verified = len(rep.Failures) == 0
	return rep, nil
}

// attestationItem is one envelope or bundle of a file; source is "file"
// or "file:line".
type attestationItem struct {
	env    *Envelope
	bundle *bundle.Bundle
	source string
}

// parseItem reads one DSSE envelope or Sigstore bundle.
func parseItem(data []byte, source string) (attestationItem, error) {
	if isBundleJSON(data) {
		b, err := ParseBundle(data)
		return attestationItem{bundle: b, source: source}, err
	}
	env, err := ParseEnvelope(data)
	return attestationItem{env: env, source: source}, err
}

// parseAttestationFile reads JSON Lines of envelopes or bundles, or a
// single envelope or bundle.
func parseAttestationFile(name string, data []byte) ([]attestationItem, error) {
	lines := 0
	for _, l := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			lines++
		}
	}
	jsonl := strings.HasSuffix(name, ".jsonl") || lines > 1
	if !jsonl {
		it, err := parseItem(data, name)
		if err != nil {
			return nil, err
		}
		return []attestationItem{it}, nil
	}
	if !strings.HasSuffix(name, ".jsonl") {
		// Several lines in a .json file: a pretty-printed envelope or bundle?
		if it, err := parseItem(data, name); err == nil {
			return []attestationItem{it}, nil
		}
	}
	var items []attestationItem
	lineNo := 0
	rest := data
	for len(rest) > 0 {
		lineNo++
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		it, err := parseItem(line, fmt.Sprintf("%s:%d", name, lineNo))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%w: no envelope in the file", ErrNotEnvelope)
	}
	return items, nil
}

// verifyEnvelope runs the per-envelope checks in order and stops at the
// first failure.
func verifyEnvelope(_ context.Context, env *Envelope, keys []trustedKey) AttestationResult {
	var res AttestationResult
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		res.Error = "payload is not standard base64"
		return res
	}
	// 2. signatures
	if len(env.Signatures) == 0 {
		res.Error = "envelope has no signatures: it was written unsigned"
		return res
	}
	if len(keys) == 0 {
		res.Error = "a DSSE envelope names no certificate: verify it with --key, or verify its Sigstore bundle (<name>" + evidencedir.BundleSuffix + ") for a keyless signature"
		return res
	}
	// A key signs an envelope once: the same signature twice, or two
	// signatures naming the same key ID, would count one signer twice.
	seenSig, seenKey := map[string]bool{}, map[string]bool{}
	for _, s := range env.Signatures {
		if seenSig[s.Sig] || (s.KeyID != "" && seenKey[s.KeyID]) {
			res.Error = fmt.Sprintf("envelope has a duplicate signature (keyid %q): a signature may appear once", s.KeyID)
			return res
		}
		seenSig[s.Sig], seenKey[s.KeyID] = true, true
	}
	pae := PAE(env.PayloadType, payload)
	var acceptedBy string
	var triedTrusted []string // key IDs of trusted keys whose check failed
	for _, s := range env.Signatures {
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		for _, k := range keys {
			if s.KeyID != "" && s.KeyID != k.ID {
				continue
			}
			if err == nil && len(sig) > 0 && verifySignature(k.pub, pae, sig) {
				acceptedBy = k.ID
				break
			}
			if s.KeyID != "" {
				triedTrusted = append(triedTrusted, k.ID)
			}
		}
		if acceptedBy != "" {
			break
		}
	}
	if acceptedBy == "" {
		ids := make([]string, 0, len(env.Signatures))
		for _, s := range env.Signatures {
			ids = append(ids, nonEmpty(s.KeyID, "(no keyid)"))
		}
		if len(triedTrusted) > 0 {
			res.Error = fmt.Sprintf("no valid signature by a trusted key: the signature by trusted key %s does not verify: the payload or its type was changed after signing, or the signature is damaged",
				strings.Join(triedTrusted, ", "))
		} else {
			res.Error = fmt.Sprintf("no valid signature by a trusted key: signed by %s, which is not a trusted key (trusted: %s)",
				strings.Join(ids, ", "), strings.Join(keyIDs(keys), ", "))
		}
		return res
	}
	res.KeyID = acceptedBy
	checkStatement(&res, env.PayloadType, payload)
	return res
}

// checkStatement runs the checks after the signature, shared by envelopes
// and bundles: the payload type is in-toto's and the payload an in-toto
// Statement v1, whose subjects and predicate it records.
func checkStatement(res *AttestationResult, payloadType string, payload []byte) {
	// 3. payload type
	if payloadType != PayloadType {
		res.Error = fmt.Sprintf("payload type is %q, want %q", payloadType, PayloadType)
		return
	}
	// 4. Statement v1
	st, err := ParseStatement(payload)
	if err != nil {
		res.Error = err.Error()
		return
	}
	res.PredicateType = st.GetPredicateType()
	res.sha256s = map[string]bool{}
	for _, s := range st.GetSubject() {
		d := s.GetDigest()
		label := s.GetName()
		if v, ok := d["sha256"]; ok {
			res.sha256s[strings.ToLower(v)] = true
			label += " sha256:" + shortHex(v)
		} else if v, ok := d["gitCommit"]; ok {
			label += " gitCommit:" + shortHex(v)
		}
		res.Subjects = append(res.Subjects, label)
	}
	var raw struct {
		Predicate json.RawMessage `json:"predicate"`
	}
	if err := json.Unmarshal(payload, &raw); err == nil {
		res.predicate = raw.Predicate
	}
	res.payload = payload
	res.OK = true
}

// signer names who signed, for the report: a key ID, or a keyless
// identity with its issuer and Rekor log index.
func (a AttestationResult) signer() string {
	if a.Identity == "" {
		return a.KeyID
	}
	s := a.Identity + " (issuer " + a.Issuer + ")"
	if a.LogIndex != nil {
		s += fmt.Sprintf(", Rekor log index %d", *a.LogIndex)
	}
	return s
}

func shortHex(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}

func keyIDs(keys []trustedKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.ID
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

func verifiedPredicates(as []AttestationResult) map[string][]json.RawMessage {
	out := map[string][]json.RawMessage{}
	for _, a := range as {
		if a.OK {
			out[a.PredicateType] = append(out[a.PredicateType], a.predicate)
		}
	}
	return out
}

// WriteText writes the report for a person.
func (r *VerifyReport) WriteText(w io.Writer) error {
	var b strings.Builder
	if r.Verified {
		b.WriteString("Verified: every attestation is signed by a trusted key or a pinned identity and every check below holds.\n")
	} else {
		b.WriteString("VERIFICATION FAILED\n")
	}
	if len(r.Keys) > 0 {
		b.WriteString("\nTrusted keys:\n")
	}
	for _, k := range r.Keys {
		fmt.Fprintf(&b, "  %s  %s  (%s)\n", k.ID, k.Type, k.File)
	}
	if len(r.Identities) > 0 {
		b.WriteString("\nPinned keyless identities:\n")
	}
	for _, id := range r.Identities {
		who := id.Identity
		if id.IdentityRegexp != "" {
			who = "matching " + anchorRegexp(id.IdentityRegexp)
		}
		fmt.Fprintf(&b, "  %s  issuer %s  (%s)\n", who, id.Issuer, id.From)
	}
	if r.TrustedRoot != "" {
		fmt.Fprintf(&b, "  trusted root: %s\n", r.TrustedRoot)
	}
	b.WriteString("\nAttestations:\n")
	for _, a := range r.Attestations {
		if a.OK {
			fmt.Fprintf(&b, "  ok    %s\n        predicate %s\n        signed by %s\n", a.Source, a.PredicateType, a.signer())
			for _, s := range a.Subjects {
				fmt.Fprintf(&b, "        subject %s\n", s)
			}
			if a.ReportFile != "" {
				fmt.Fprintf(&b, "        report read from %s (its sha256 the statement's)\n", a.ReportFile)
			}
		} else {
			fmt.Fprintf(&b, "  FAIL  %s\n        %s\n", a.Source, a.Error)
		}
	}
	if len(r.Artefacts) > 0 {
		b.WriteString("\nArtefacts:\n")
		for _, a := range r.Artefacts {
			if a.OK {
				fmt.Fprintf(&b, "  ok    %s  sha256:%s\n", a.Path, a.SHA256)
			} else {
				fmt.Fprintf(&b, "  FAIL  %s  sha256:%s: %s\n", a.Path, a.SHA256, a.Error)
			}
		}
	}
	if len(r.Required) > 0 {
		b.WriteString("\nRequired predicate types:\n")
		for _, q := range r.Required {
			v := "ok  "
			if !q.Present {
				v = "FAIL"
			}
			fmt.Fprintf(&b, "  %s  %s\n", v, q.PredicateType)
		}
	}
	if r.Policy != "" {
		fmt.Fprintf(&b, "\nPolicy %s:\n", r.Policy)
		for _, rr := range r.Rules {
			v := "ok  "
			if rr.Verdict != VerdictPass {
				v = "FAIL"
			}
			fmt.Fprintf(&b, "  %s  %s: %s\n", v, rr.Rule, rr.Detail)
		}
	}
	if len(r.Failures) > 0 {
		b.WriteString("\nWhy verification failed:\n")
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "  - %s\n", f)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON is the report as indented JSON.
func (r *VerifyReport) JSON() []byte {
	b, _ := json.MarshalIndent(r, "", "  ")
	return append(b, '\n')
}
