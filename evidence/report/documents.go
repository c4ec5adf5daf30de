package report

import (
	"context"
	"fmt"
	"path"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/config"
)

// Options is what writing an event's documents needs.
type Options struct {
	// Root is the product root; every file goes inside it.
	Root     string
	Config   *config.Config
	Evidence *Evidence
	// Signer signs the statements; nil writes them unsigned.
	Signer      attest.Signer
	ToolVersion string
}

func (o Options) cfg() *config.Config {
	if o.Config == nil {
		return &config.Config{}
	}
	return o.Config
}

// WriteDraft writes the draft of one stage beside event.yaml, as
// <stage>.md for a person and <stage>.json for a machine, and the
// statement over both as <stage>.dsse.json. A draft a person edited since
// cemark wrote it is kept: the error says so (exit 2).
func WriteDraft(ctx context.Context, o Options, e Event, stage Stage) (*Draft, *Written, error) {
	d, err := BuildDraft(DraftInput{Event: e, Config: o.cfg(), Evidence: o.Evidence}, stage)
	if err != nil {
		return nil, nil, err
	}
	dir := path.Dir(e.Path)
	docs := map[string][]byte{
		path.Join(dir, string(stage)+".md"):   d.Markdown(),
		path.Join(dir, string(stage)+".json"): d.JSON(),
	}
	pred := Predicate{Event: e.ID, Kind: e.Kind, Document: "draft", Stage: stage, Basis: d.Deadline.Basis,
		AwareAt: d.Event.AwareAt, Due: d.Deadline.Due, ToWrite: d.Gaps(), Tool: o.ToolVersion}
	w, err := writeAttested(ctx, o.Root, docs, envelopePath(dir, string(stage)), o.Signer, pred)
	return d, w, err
}

// WriteNotice writes the Art. 14(8) information to users in every notice
// language (notice.en.md, notice.da.md) and the statement over them.
// advisoryPath is the CSAF advisory the notice points to; empty: the one
// cemark report advisory wrote for the event, if any.
func WriteNotice(ctx context.Context, o Options, e Event, advisoryPath string) (*Written, error) {
	dir := path.Dir(e.Path)
	if advisoryPath == "" {
		for name := range attestedDigests(o.Root, envelopePath(dir, "advisory")) {
			advisoryPath = name
		}
	}
	docs := map[string][]byte{}
	for _, lang := range NoticeLangs {
		b, err := BuildNotice(NoticeInput{Event: e, Config: o.cfg(), AdvisoryPath: advisoryPath}, lang)
		if err != nil {
			return nil, err
		}
		docs[path.Join(dir, "notice."+lang+".md")] = b
	}
	pred := Predicate{Event: e.ID, Kind: e.Kind, Document: "notice", Basis: "Art. 14(8)", AwareAt: FormatTime(e.AwareAt), Tool: o.ToolVersion}
	return writeAttested(ctx, o.Root, docs, envelopePath(dir, "notice"), o.Signer, pred)
}

// WriteAdvisory builds the CSAF advisory for a fixed vulnerability,
// validates it (see ValidateAdvisory; an advisory that fails is a defect
// and is not written) and writes it where cemark.yaml points
// (AdvisoryPath), with the statement over it beside event.yaml as
// advisory.dsse.json.
func WriteAdvisory(ctx context.Context, o Options, e Event, validatorURL string) (string, Validation, *Written, error) {
	adv, err := BuildAdvisory(AdvisoryInput{Event: e, Config: o.cfg(), Evidence: o.Evidence, ToolVersion: o.ToolVersion})
	if err != nil {
		return "", Validation{}, nil, err
	}
	rel, err := AdvisoryPath(o.cfg(), adv)
	if err != nil {
		return "", Validation{}, nil, err
	}
	data, err := EncodeAdvisory(adv)
	if err != nil {
		return "", Validation{}, nil, err
	}
	v, err := ValidateAdvisory(ctx, data, validatorURL)
	if err != nil {
		return rel, v, nil, err
	}
	if !v.OK() {
		return rel, v, nil, fmt.Errorf("%w: %v %s %v", ErrInvalidAdvisory, v.Schema, v.Library, v.MandatoryTests)
	}
	pred := Predicate{Event: e.ID, Kind: e.Kind, Document: "advisory", Basis: "Annex I Part II (4)", AwareAt: FormatTime(e.AwareAt),
		Validation: &v, Tool: o.ToolVersion}
	w, err := writeAttested(ctx, o.Root, map[string][]byte{rel: data}, envelopePath(path.Dir(e.Path), "advisory"), o.Signer, pred)
	return rel, v, w, err
}
