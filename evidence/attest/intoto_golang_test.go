package attest

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/in-toto/in-toto-golang/in_toto"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"
)

// TestInteropInTotoGolangKeys verifies cemark's envelopes the way
// in-toto-golang does it: the public key loaded by in-toto-golang's own key
// library (its key type, scheme and key ID), turned into the DSSE verifier
// in-toto-golang's Envelope.VerifySignature builds internally. in-toto-golang's
// LoadMetadata reads only link and layout payloads, so the envelope is
// handed to the DSSE verifier directly.
func TestInteropInTotoGolangKeys(t *testing.T) {
	t.Parallel()
	for _, kt := range []string{KeyTypeECDSAP256, KeyTypeEd25519} {
		t.Run(kt, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			sts, _ := sampleBundle(t, dir)
			s, _ := newTestSigner(t, kt)
			pubPath := writePub(t, dir, "k.pub", s.Public())

			var key in_toto.Key
			if err := key.LoadKeyDefaults(pubPath); err != nil {
				t.Fatalf("in-toto-golang cannot load cemark's public key: %v", err)
			}
			if key.KeyID == s.KeyID() {
				t.Log("in-toto-golang computes the same key ID as cemark")
			}
			// DSSE skips a signature whose keyid differs from the verifier's.
			// in-toto-golang derives its own key IDs (over its key JSON), so a
			// verifier pins cemark's key ID: hex SHA-256 of the DER public
			// key, which `cemark keygen` prints (docs/attestations.md).
			sslib := signerverifier.SSLibKey{
				KeyType: key.KeyType, KeyIDHashAlgorithms: key.KeyIDHashAlgorithms, Scheme: key.Scheme,
				KeyID:  s.KeyID(),
				KeyVal: signerverifier.KeyVal{Public: key.KeyVal.Public},
			}
			var (
				v   dsse.Verifier
				err error
			)
			switch key.KeyType {
			case signerverifier.ED25519KeyType:
				v, err = signerverifier.NewED25519SignerVerifierFromSSLibKey(&sslib)
			case signerverifier.ECDSAKeyType:
				v, err = signerverifier.NewECDSASignerVerifierFromSSLibKey(&sslib)
			default:
				t.Fatalf("in-toto-golang reads the key as %q", key.KeyType)
			}
			if err != nil {
				t.Fatal(err)
			}
			ev, err := dsse.NewEnvelopeVerifier(v)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range sts {
				env, err := Sign(context.Background(), s, st)
				if err != nil {
					t.Fatal(err)
				}
				path := dir + "/" + st.Name + ".dsse.json"
				if err := os.WriteFile(path, env.JSON(), 0o644); err != nil {
					t.Fatal(err)
				}
				var theirs dsse.Envelope
				raw, _ := os.ReadFile(path)
				if err := json.Unmarshal(raw, &theirs); err != nil {
					t.Fatal(err)
				}
				if theirs.PayloadType != in_toto.PayloadType {
					t.Errorf("%s: payload type %q, in-toto-golang expects %q", st.Name, theirs.PayloadType, in_toto.PayloadType)
				}
				if _, err := ev.Verify(context.Background(), &theirs); err != nil {
					t.Errorf("%s: rejected with in-toto-golang's key: %v", st.Name, err)
				}
			}
		})
	}
}
