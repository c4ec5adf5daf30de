package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/evidencedir"
)

func newAttestCmd(e *env) *cobra.Command {
	var opts attest.AttestOptions
	var keyPath, output string
	cmd := &cobra.Command{
		Use:   "attest --key KEY --subject GLOB --predicate-type URI --predicate FILE [-o FILE]",
		Short: "Sign any predicate over artefacts as an in-toto attestation (DSSE)",
		Long: `Sign your own evidence with the same keys cemark run uses: the predicate
(a JSON object in FILE) becomes an in-toto Statement v1 over the artefacts the
--subject globs match (sha256 and sha512), signed in a DSSE envelope.

The key comes from --key or the CEMARK_SIGNING_KEY variable (PEM); cosign
keys are read with COSIGN_PASSWORD. The envelope goes to -o FILE or stdout;
check it with cemark verify or cosign verify-blob-attestation.`,
		Example: `  cemark attest --key cemark.key --subject 'dist/*.tar.gz' \
    --predicate-type https://example.com/pentest/v1 --predicate pentest.json -o pentest.dsse.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(opts.Subjects) == 0 {
				return usageError{errors.New("--subject is required (repeatable)")}
			}
			if opts.PredicateType == "" || opts.PredicateFile == "" {
				return usageError{errors.New("--predicate-type and --predicate are required")}
			}
			if err := attest.CheckPredicateType(opts.PredicateType); err != nil {
				return usageError{fmt.Errorf("--predicate-type: %w", err)}
			}
			signer, err := attest.LoadSigner(cmd.Context(), keyPath, e.getenv)
			if errors.Is(err, attest.ErrNoSigningKey) {
				return usageError{errors.New("attest needs a key: pass --key or set CEMARK_SIGNING_KEY (create one with cemark keygen)")}
			}
			if err != nil {
				return err
			}
			env, _, err := attest.Attest(cmd.Context(), signer, opts)
			if err != nil {
				return err
			}
			out := append(env.JSON(), '\n')
			if output == "" || output == "-" {
				_, err := e.stdout.Write(out)
				return err
			}
			path, err := contain.OutputFile(output, contain.Flag("--output"))
			if err != nil {
				return err
			}
			if err := evidencedir.WriteFileAtomic(path, out, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "Signed %s by key %s: %s\n", opts.PredicateType, signer.KeyID(), output)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&keyPath, "key", "", "private key file (PKCS#8 PEM or cosign key); default: CEMARK_SIGNING_KEY")
	f.StringArrayVar(&opts.Subjects, "subject", nil, "artefact glob, relative to the current folder (repeatable, ** allowed)")
	f.StringVar(&opts.PredicateType, "predicate-type", "", "predicate type URI")
	f.StringVar(&opts.PredicateFile, "predicate", "", "predicate file (a JSON object)")
	f.StringVarP(&output, "output", "o", "", "write the envelope here (default: stdout)")
	return cmd
}
