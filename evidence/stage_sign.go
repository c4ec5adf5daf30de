package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/cache"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
)

// prepareSigning decides how the run signs — a key, keyless through the
// CI's OIDC identity, or not at all — before the long stages, so that a
// key that does not load or a CI job without OIDC permission fails the
// run at once (exit 2), not after the SBOM.
func prepareSigning(ctx context.Context, opts Options, getenv func(string) string) (*attest.SigningPlan, error) {
	plan, err := attest.PrepareSigning(ctx, attest.SigningOptions{
		Mode: opts.Sign, KeyPath: opts.SigningKey,
		FulcioURL: opts.FulcioURL, RekorURL: opts.RekorURL, TrustedRoot: opts.TrustedRoot,
		Getenv: getenv,
	})
	if errors.Is(err, attest.ErrSigningSetup) {
		return nil, failure.Usage(err)
	}
	return plan, err
}

// signStage adds the conformity statement — over the technical file's
// digest — and signs every statement as the config stage planned: with the
// key, keylessly, or not at all with a notice; never with a throwaway key.
var signStage = stageDef{
	name: StageSign,
	inputs: "the statements, the technical file's digest, the conformity assessment and route, " +
		"the signer (the key's ID, or the Sigstore instance and the OIDC identity)",
	outputs: "attestations.intoto.jsonl, <name>.dsse.json and, keyless, <name>.sigstore.json for each statement",
	run:     runSign,
	cached:  true,
}

func runSign(ctx context.Context, r *runState) (string, error) {
	ev := r.ev
	route := ev.Route
	cst, err := attest.BuildConformityStatement(ctx, attest.ConformityInput{
		Subjects:            ev.subjects,
		Config:              ev.Config,
		Assessment:          ev.Assessment,
		Route:               &route,
		Statements:          ev.Statements,
		TechnicalFileSHA256: techFileDigest(ev),
		ToolName:            "cemark",
		ToolVersion:         ev.Tool.Cemark,
		Time:                ev.Time,
	})
	if err != nil {
		return "", err
	}
	ev.Statements = append(ev.Statements, cst)
	plan := r.signing
	if plan.Notice != "" {
		r.p.Notice(plan.Notice)
	}
	// What the plan said is this run's news; what follows is the
	// signature's, kept with it.
	r.p.begin()
	key := r.signKey(plan)
	if key != "" {
		if summary, ok := r.restore(StageSign, key, r.restoreSignatures); ok {
			r.noticeSigner()
			return summary, nil
		}
	}
	signed, signing, err := plan.Sign(ctx, ev.Statements)
	if err != nil {
		if errors.Is(err, attest.ErrNoOIDCToken) {
			return "", failure.Usage(err)
		}
		return "", err
	}
	out := map[string][]byte{}
	envs := make(map[string]*attest.Envelope, len(signed))
	for _, s := range signed {
		out[s.Name+evidencedir.EnvelopeSuffix] = s.Envelope.JSON()
		envs[s.Name] = s.Envelope
		if s.Bundle != nil {
			out[s.Name+evidencedir.BundleSuffix] = s.Bundle
		}
	}
	if err := r.setSignatures(signing, out, envs); err != nil {
		return "", err
	}
	if key != "" {
		e, err := signaturesEntry(signing, out)
		r.keep(StageSign, key, func() (cache.Entry, error) { return e, err })
	}
	r.noticeSigner()
	return signSummary(ev), nil
}

// noticeSigner says when the run was signed by someone the stated
// signers do not name.
func (r *runState) noticeSigner() {
	if n := signerNotice(r.ev.signers, r.ev.Signing); n != "" {
		r.p.Notice(n)
	}
}

// signKey is the digest of what is signed and who signs: every payload,
// in order, and the plan's SignerID. A signature over an unchanged
// payload is reused only for the same signer — for a key, its key ID; for
// keyless, the same Sigstore instance and OIDC identity (issuer, subject,
// workflow), so that an earlier job's certificate never stands for
// another's. "" when the signer cannot be told apart.
func (r *runState) signKey(plan *attest.SigningPlan) cache.Key {
	id := plan.SignerID()
	if r.cache == nil || id == "" {
		return ""
	}
	k := r.stageKey(StageSign).Add("signer", id)
	for _, st := range r.ev.Statements {
		k.Add(st.Name, st.PredicateType+" "+st.Digest())
	}
	return k.Sum()
}

// setSignatures puts the signed envelopes (and bundles) on the evidence
// and into the evidence files; attestations.intoto.jsonl is written from
// them (envelopeFiles) by the write stage. envs are
// the envelopes by statement when they were just made; the ones restored
// from the cache are parsed from their files.
func (r *runState) setSignatures(signing attest.Signing, files map[string][]byte, envs map[string]*attest.Envelope) error {
	ev := r.ev
	ev.Signing = signing
	ev.Signed = signing.Method != attest.SignNone
	ev.KeyID = signing.KeyID
	ev.Record.Signing = &ev.Signing
	ev.Envelopes = nil
	for _, st := range ev.Statements {
		if env, ok := envs[st.Name]; ok {
			ev.Envelopes = append(ev.Envelopes, env)
			continue
		}
		b, ok := files[st.Name+evidencedir.EnvelopeSuffix]
		if !ok {
			return fmt.Errorf("no envelope for statement %s", st.Name)
		}
		env, err := attest.ParseEnvelope(b)
		if err != nil {
			return fmt.Errorf("envelope of %s: %w", st.Name, err)
		}
		ev.Envelopes = append(ev.Envelopes, env)
	}
	for n, b := range files {
		if n != evidencedir.Attestations { // written from the envelopes (stage_write.go)
			r.files[n] = b
		}
	}
	r.envelopeFiles = make([]string, len(ev.Statements))
	for i, st := range ev.Statements {
		r.envelopeFiles[i] = st.Name + evidencedir.EnvelopeSuffix
	}
	return nil
}

const signingEntryFile = "signing.json"

func signaturesEntry(signing attest.Signing, files map[string][]byte) (cache.Entry, error) {
	b, err := json.Marshal(signing)
	if err != nil {
		return nil, err
	}
	e := cache.Entry{signingEntryFile: b}
	for n, f := range files {
		e[n] = f
	}
	return e, nil
}

func (r *runState) restoreSignatures(e cache.Entry) error {
	var signing attest.Signing
	if err := json.Unmarshal(e[signingEntryFile], &signing); err != nil {
		return err
	}
	files := map[string][]byte{}
	for n, b := range e {
		if n != signingEntryFile && n != stageRecordFile {
			files[n] = b
		}
	}
	return r.setSignatures(signing, files, nil)
}

// signSummary is the sign stage's line in the progress and run.json.
func signSummary(ev *Evidence) string {
	switch ev.Signing.Method {
	case attest.SignNone:
		return fmt.Sprintf("%d statements written unsigned", len(ev.Envelopes))
	case attest.SignKey:
		return fmt.Sprintf("%d envelopes and bundles signed by key %s", len(ev.Envelopes), short(ev.KeyID))
	}
	return fmt.Sprintf("%d envelopes and bundles signed keylessly by %s (issuer %s), logged in Rekor", len(ev.Envelopes), ev.Signing.Identity, ev.Signing.Issuer)
}
