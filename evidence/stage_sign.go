package evidence

import (
	"context"
	"errors"
	"fmt"

	"github.com/cemark/cemark/evidence/attest"
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

// conformityAndSign adds the conformity statement, then signs every
// statement as planned — or leaves them unsigned with a notice; never with
// a throwaway key — and puts the envelopes and bundles into files:
// attestations.intoto.jsonl, <name>.dsse.json and <name>.sigstore.json.
func conformityAndSign(ctx context.Context, ev *Evidence, plan *attest.SigningPlan, p Progress, files map[string][]byte) error {
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
		return err
	}
	ev.Statements = append(ev.Statements, cst)
	if plan.Notice != "" {
		p.Notice(plan.Notice)
	}
	signed, signing, err := plan.Sign(ctx, ev.Statements)
	if err != nil {
		if errors.Is(err, attest.ErrNoOIDCToken) {
			return failure.Usage(err)
		}
		return err
	}
	ev.Signing = signing
	ev.Signed = signing.Method != attest.SignNone
	if n := signerNotice(ev.signers, signing); n != "" {
		p.Notice(n)
	}
	ev.KeyID = signing.KeyID
	ev.Record.Signing = &ev.Signing
	for _, s := range signed {
		ev.Envelopes = append(ev.Envelopes, s.Envelope)
		files[s.Name+".dsse.json"] = s.Envelope.JSON()
		if s.Bundle != nil {
			files[s.Name+attest.BundleFileSuffix] = s.Bundle
		}
	}
	files[attest.JSONLFileName] = attest.EncodeJSONL(ev.Envelopes)
	return nil
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
