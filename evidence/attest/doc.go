// Package attest turns what a cemark run found into in-toto attestations
// (Statement v1 in DSSE envelopes), signs them with a local key, and
// verifies them again offline.
//
// The flow is: Subjects names what the statements are about; BuildStatements
// and BuildConformityStatement make one Statement per predicate (canonical,
// deterministic JSON); Sign or Unsigned wraps each in a DSSE envelope;
// EncodeJSONL and Envelope.JSON give the bytes of
// .cemark/attestations.intoto.jsonl and <name>.dsse.json. Verify checks
// envelopes, signatures, statements, subjects, required predicate types and
// an optional policy, and returns a report a person can read.
//
// cemark shows evidence; it never declares a product compliant. The
// conformity predicate says so in its disclaimer field.
package attest
