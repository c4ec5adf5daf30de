package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/evidence/attest"
)

func newKeygenCmd(e *env) *cobra.Command {
	var keyType, prefix string
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Create a signing key pair for attestations (NAME.key and NAME.pub)",
		Long: `Create a key pair for signing cemark's attestations.

NAME.key is the private key (PKCS#8 PEM, mode 0600). When COSIGN_PASSWORD is
set and not empty, the key is encrypted in cosign's format instead
("ENCRYPTED SIGSTORE PRIVATE KEY"), which cosign and cemark read with the same
variable. NAME.pub is the public key (PKIX PEM) that verifiers trust.

Existing files are never overwritten, and a key is never written inside an
evidence directory (.cemark) or docs/. Keep NAME.key out of version control;
in CI, store its PEM in a secret and pass it as CEMARK_SIGNING_KEY.`,
		Example: `  cemark keygen
  cemark keygen --type ed25519 --output-prefix ~/.keys/release
  COSIGN_PASSWORD=… cemark keygen --output-prefix release`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keyType != attest.KeyTypeECDSAP256 && keyType != attest.KeyTypeEd25519 {
				return usageError{fmt.Errorf("--type %q: use %s or %s", keyType, attest.KeyTypeECDSAP256, attest.KeyTypeEd25519)}
			}
			files, err := attest.WriteKeyPair(cmd.Context(), prefix, keyType, []byte(e.getenv(attest.EnvCosignPassword)))
			if err != nil {
				return err
			}
			enc := "unencrypted PKCS#8"
			if files.Encrypted {
				enc = "encrypted with COSIGN_PASSWORD (cosign format)"
			}
			fmt.Fprintf(e.stdout, "Private key: %s (%s, %s, mode 0600) — keep it secret, never commit it\nPublic key:  %s\nKey ID:      %s\n",
				files.Key, files.Type, enc, files.Pub, files.KeyID)
			return nil
		},
	}
	cmd.Flags().StringVar(&keyType, "type", attest.KeyTypeECDSAP256, "key type: ecdsa-p256 or ed25519")
	cmd.Flags().StringVar(&prefix, "output-prefix", "cemark", "write NAME.key and NAME.pub")
	return cmd
}
