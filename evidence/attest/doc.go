// Package attest turns what a cemark run found into in-toto attestations
// (Statement v1 in DSSE envelopes, and each also as a Sigstore bundle),
// signs them with a local key or keylessly through Sigstore, and verifies
// them again offline.
//
// The flow is: Subjects names what the statements are about; BuildStatements
// and BuildConformityStatement make one Statement per predicate (canonical,
// deterministic JSON); PrepareSigning decides how to sign (a key, keyless
// with the CI's OIDC token, or not at all) and SigningPlan.Sign signs every
// statement, giving its DSSE envelope and its Sigstore bundle; EncodeJSONL
// and Envelope.JSON give the bytes of .cemark/attestations.intoto.jsonl and
// <name>.dsse.json. Verify checks envelopes and bundles, signatures (keys,
// or Fulcio certificates, Rekor entries and pinned identities against a
// trusted root), statements, subjects, required predicate types and an
// optional policy, and returns a report a person can read.
//
// cemark shows evidence; it never declares a product compliant. The
// conformity predicate says so in its disclaimer field.
package attest
