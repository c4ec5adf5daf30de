package updates

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

func fixtureTarget(t *testing.T, dir string, cfg *config.Config) *checks.Target {
	t.Helper()
	tg, err := checks.NewTarget(context.Background(), filepath.Join("testdata", dir), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestDetectPipeline(t *testing.T) {
	gh := ".github/workflows/release.yml"
	cases := []struct {
		dir  string
		want []checks.SigningStep
	}{
		{"pipeline/goreleaser-signed", []checks.SigningStep{
			{Tool: ToolGoreleaser, Action: "signs", Path: ".goreleaser.yml", Line: 7, Detail: "signs with cosign"},
			{Tool: ToolGoreleaser, Action: "binary_signs", Path: ".goreleaser.yml", Line: 11, Detail: "binary_signs with gpg"},
			{Tool: ToolGoreleaser, Action: "docker_signs", Path: ".goreleaser.yml", Line: 13, Detail: "docker_signs with cosign"},
			{Tool: ToolGoreleaser, Action: "sboms", Path: ".goreleaser.yml", Line: 15, Detail: "sboms with syft"},
		}},
		{"pipeline/goreleaser-unsigned", nil},
		{"pipeline/github-signed", []checks.SigningStep{
			{Tool: ToolSigstore, Action: ActionInstall, Path: gh, Line: 14, Detail: "sigstore/cosign-installer@v3.7.0"},
			{Tool: ToolCosign, Action: "sign-blob", Path: gh, Line: 20, Detail: "cosign sign-blob"},
			{Tool: ToolGPG, Action: "detach-sign", Path: gh, Line: 21, Detail: "gpg --batch --armor --detach-sign"},
			{Tool: ToolMinisign, Action: "sign", Path: gh, Line: 22, Detail: "minisign -Sm"},
			{Tool: ToolAttest, Action: "attest-build-provenance", Path: gh, Line: 23, Detail: "actions/attest-build-provenance@v2"},
			{Tool: ToolCosign, Action: "sign", Path: gh, Line: 26, Detail: "cosign sign"},
			{Tool: ToolSLSA, Action: "generator_generic_slsa3.yml", Path: gh, Line: 29, Detail: "slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.0.0"},
		}},
		{"pipeline/github-unsigned", []checks.SigningStep{
			{Tool: ToolSigstore, Action: ActionInstall, Path: ".github/workflows/ci.yml", Line: 8, Detail: "sigstore/cosign-installer@v3"},
		}},
		{"pipeline/gitlab-signed", []checks.SigningStep{
			{Tool: ToolCosign, Action: "sign-blob", Path: ".gitlab-ci.yml", Line: 12, Detail: "cosign sign-blob"},
			{Tool: ToolGPG, Action: "detach-sign", Path: ".gitlab-ci.yml", Line: 13, Detail: "gpg --detach-sign"},
		}},
		{"pipeline/gitlab-unsigned", nil},
		// cemark's own signed attestations over the release artefacts count;
		// an echo and a run without a key do not.
		{"pipeline/github-cemark", []checks.SigningStep{
			{Tool: ToolCemark, Action: "attest", Path: gh, Line: 15, Detail: "/tmp/cemark attest"},
			{Tool: ToolCemark, Action: "run --key", Path: gh, Line: 16, Detail: "cemark run --key"},
		}},
		// The anchored list is a script only where an alias puts it under
		// script:; the step is reported at the line where it is written.
		{"pipeline/gitlab-anchors", []checks.SigningStep{
			{Tool: ToolCosign, Action: "sign-blob", Path: ".gitlab-ci.yml", Line: 2, Detail: "cosign sign-blob"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			tg := fixtureTarget(t, tc.dir, nil)
			got, errs := DetectPipeline(context.Background(), tg)
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			// The check's verdict: a warning exactly when nothing signs.
			findings := evalPipeline(&Collected{Signing: checks.UpdateSigning{Pipeline: got}})
			warned := false
			for _, f := range findings {
				if f.Outcome == checks.Warn && f.Key == "no-signing-step" {
					warned = true
				}
			}
			signs := false
			for _, s := range got {
				signs = signs || Signs(s)
			}
			if warned == signs {
				t.Errorf("no-signing-step warning = %v with signing steps = %v", warned, signs)
			}
		})
	}
}

func TestSignsLeavesOutInstallersAndSBOMs(t *testing.T) {
	for _, tc := range []struct {
		step checks.SigningStep
		want bool
	}{
		{checks.SigningStep{Tool: ToolGoreleaser, Action: "signs"}, true},
		{checks.SigningStep{Tool: ToolGoreleaser, Action: "sboms"}, false},
		{checks.SigningStep{Tool: ToolSigstore, Action: ActionInstall}, false},
		{checks.SigningStep{Tool: ToolAttest, Action: "attest-sbom"}, true},
	} {
		if got := Signs(tc.step); got != tc.want {
			t.Errorf("Signs(%+v) = %v, want %v", tc.step, got, tc.want)
		}
	}
	only := evalPipeline(&Collected{Signing: checks.UpdateSigning{Pipeline: []checks.SigningStep{{Tool: ToolGoreleaser, Action: "sboms", Path: ".goreleaser.yml", Line: 3}}}})
	if len(only) != 2 || only[1].Key != "no-signing-step" || only[1].Outcome != checks.Warn {
		t.Errorf("only an SBOM step: %+v, want an info finding and the no-signing-step warning", only)
	}
}

func TestPipelineParseError(t *testing.T) {
	_, err := pipelineSteps(".github/workflows/bad.yml", []byte("jobs: [unclosed"))
	if err == nil || !strings.Contains(err.Error(), ".github/workflows/bad.yml") {
		t.Fatalf("error %v does not name the file", err)
	}
}
