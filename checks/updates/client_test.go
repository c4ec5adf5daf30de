package updates

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
)

func TestDetectClient(t *testing.T) {
	type ev = checks.UpdaterEvidence
	cases := []struct {
		dir  string
		want []ev
	}{
		{"gotuf", []ev{
			{Kind: KindTUF, Path: "update.go", Line: 4, Confidence: High, Detail: "imports the TUF client go-tuf (github.com/theupdateframework/go-tuf/v2/metadata/config)"},
			{Kind: KindTUF, Path: "update.go", Line: 5, Confidence: High, Detail: "imports the TUF client go-tuf (github.com/theupdateframework/go-tuf/v2/metadata/updater)"},
		}},
		{"sigstorego", []ev{
			{Kind: KindSigstoreGo, Path: "verify.go", Line: 5, Confidence: Medium, Detail: "imports sigstore-go's verifier (github.com/sigstore/sigstore-go/pkg/verify)"},
			{Kind: KindSigstoreGo, Path: "verify.go", Line: 9, Confidence: High, Detail: "sigstore-go verify.NewVerifier call"},
		}},
		{"minisign", []ev{
			{Kind: KindMinisign, Path: "update.go", Line: 3, Confidence: Medium, Detail: "imports minisign (aead.dev/minisign)"},
			{Kind: KindMinisign, Path: "update.go", Line: 6, Confidence: High, Detail: "minisign Verify call"},
		}},
		{"stdverify", []ev{
			{Kind: KindSignatureVerify, Path: "update.go", Line: 11, Confidence: Medium, Detail: "ed25519.Verify call (what it verifies is not known)"},
			{Kind: KindSignatureVerify, Path: "update.go", Line: 15, Confidence: Medium, Detail: "rsa.VerifyPSS call (what it verifies is not known)"},
			{Kind: KindSignatureVerify, Path: "update.go", Line: 19, Confidence: Medium, Detail: "ecdsa.VerifyASN1 call (what it verifies is not known)"},
		}},
		{"selfupdate-verified", []ev{
			{Kind: KindSelfUpdate, Path: "update.go", Line: 11, Confidence: High, Detail: "github.com/minio/selfupdate Options.Checksum is set"},
			{Kind: KindSelfUpdate, Path: "update.go", Line: 12, Confidence: High, Detail: "github.com/minio/selfupdate Options.Verifier is set"},
		}},
		{"selfupdate-unverified", []ev{
			{Kind: KindSelfUpdate, Path: "update.go", Line: 10, Confidence: Low, Detail: "github.com/minio/selfupdate Apply call without a verifier or checksum option in this file"},
		}},
		{"goselfupdate", []ev{
			{Kind: KindSelfUpdate, Path: "update.go", Line: 9, Confidence: High, Detail: "github.com/creativeprojects/go-selfupdate Config.Validator is set"},
		}},
		{"mender", []ev{
			{Kind: KindMender, Path: "etc/mender/mender.conf", Line: 3, Confidence: High, Detail: "mender.conf ArtifactVerifyKey is set: the client rejects artifacts not signed by that key"},
		}},
		{"mender-nokey", []ev{
			{Kind: KindMender, Path: "etc/mender/mender.conf", Line: 1, Confidence: Low, Detail: "mender.conf without ArtifactVerifyKey: artifacts are installed without a signature check"},
		}},
		{"rauc", []ev{
			{Kind: KindRAUC, Path: "etc/rauc/system.conf", Line: 6, Confidence: High, Detail: "RAUC [keyring] set: bundles are verified against it"},
		}},
		{"systemd-conf", nil},
		{"swupdate", []ev{
			{Kind: KindSWUpdate, Path: "etc/swupdate.cfg", Line: 5, Confidence: High, Detail: "SWUpdate public-key-file set: images are verified against it"},
		}},
		{"swupdate-flag", []ev{
			{Kind: KindSWUpdate, Path: "lib/systemd/system/swupdate.service", Line: 5, Confidence: High, Detail: "swupdate started with a public key (-k)"},
		}},
		{"yocto", []ev{
			{Kind: KindMender, Path: "conf/local.conf", Line: 2, Confidence: High, Detail: "Mender artifact verify key set in the build"},
		}},
		{"python", []ev{
			{Kind: KindTUF, Path: "updater.py", Line: 2, Confidence: High, Detail: "python-tuf client"},
		}},
		{"node", []ev{
			{Kind: KindSelfUpdate, Path: "main.js", Line: 2, Confidence: Medium, Detail: "electron-updater (verifies the publisher's code signature on Windows and macOS)"},
		}},
		{"none", nil},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			tg := fixtureTarget(t, "client/"+tc.dir, nil)
			got, _ := DetectClient(context.Background(), tg)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvalClient(t *testing.T) {
	none := evalClient(&Collected{})
	if len(none) != 1 || none[0].Outcome != checks.Info || none[0].Key != "no-client" {
		t.Errorf("no updater: %+v, want one info finding (not a failure)", none)
	}
	weak := evalClient(&Collected{Signing: checks.UpdateSigning{Client: []checks.UpdaterEvidence{{Kind: KindMender, Path: "mender.conf", Line: 1, Confidence: Low}}}})
	if len(weak) != 1 || weak[0].Outcome != checks.Warn {
		t.Errorf("updater without key: %+v, want a warning", weak)
	}
}
