// Package report is cemark's Art. 14 reporting readiness (Regulation (EU)
// 2024/2847): the events a manufacturer reports — an actively exploited
// vulnerability or a severe incident — kept in the repository as
// docs/cra/reports/<id>/event.yaml and reviewed like code; the three
// deadlines of each (early warning, notification, final report); drafts of
// each report with exactly the content Art. 14(2) or (4) asks; the user
// information of Art. 14(8); CSAF 2.0 advisories for fixed
// vulnerabilities (Annex I Part II (4)); and candidate reportable events
// found in the evidence.
//
// The event model — events, their deadlines, candidates, the reporting
// set-up and the strict loader of event.yaml — is checks/art14, where the
// CEM-RPT check family reads it without importing evidence; model.go
// re-exports it, and this package adds what only a person's workflow needs:
// opening and marking events, drafts, notices and CSAF advisories.
//
// cemark never decides that the manufacturer "became aware" of anything:
// a candidate stays a candidate until a person opens an event. cemark
// never submits a report either: ENISA's single reporting platform has no
// public format or API, so drafts are for a person to paste and submit,
// and a submission is recorded only when that person marks it.
//
// Deadlines are computed against a clock the caller passes in (Now):
// a deadline is about real time, so this is the one part of cemark that
// reads the wall clock — and it never writes it into a file.
package report
