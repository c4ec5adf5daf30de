// Package art14 is the model of Art. 14 reporting (Regulation (EU)
// 2024/2847) that the CEM-RPT check family judges and evidence/report
// drafts from: the events a manufacturer reports — an actively exploited
// vulnerability or a severe incident — kept in the repository as
// docs/cra/reports/<id>/event.yaml, read strictly with positions
// (LoadEvents); the three deadlines of each (early warning, notification,
// final report) judged at a given time (Deadlines, Assess); candidate
// reportable events picked from the vulnerability scan's observations
// (Candidates); and the reporting set-up cemark.yaml states (Setup).
//
// It lives under checks/ so that the family reads events without importing
// evidence (the checks import nothing of evidence but the config model);
// evidence/report re-exports it and adds drafts, CSAF advisories, user
// notices and the edits a person makes to an event.
//
// cemark never decides that the manufacturer "became aware" of anything:
// a candidate stays a candidate until a person opens an event. Deadlines
// are computed against a clock the caller passes in (Now); nothing here
// reads the wall clock.
package art14
