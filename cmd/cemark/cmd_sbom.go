package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/evidencedir"
)

// sbomFormats are the -o formats of `cemark sbom`.
var sbomFormats = []string{"cyclonedx-json", "spdx-json"}

// sbomOutput is one -o FORMAT[=FILE]; File "" is stdout.
type sbomOutput struct{ Format, File string }

func parseSBOMOutputs(specs []string) ([]sbomOutput, error) {
	if len(specs) == 0 {
		// Default: CycloneDX (the format TR-03183-2 v2.1 accepts) on stdout.
		specs = []string{"cyclonedx-json"}
	}
	var outs []sbomOutput
	stdout := 0
	for _, s := range specs {
		format, file, _ := strings.Cut(s, "=")
		format = strings.TrimSpace(format)
		known := false
		for _, f := range sbomFormats {
			known = known || f == format
		}
		if !known {
			return nil, usageError{fmt.Errorf("-o %s: unknown format %q (want %s)", s, format, strings.Join(sbomFormats, " or "))}
		}
		if strings.Contains(s, "=") && strings.TrimSpace(file) == "" {
			return nil, usageError{fmt.Errorf("-o %s: no file name after '='", s)}
		}
		if file == "" {
			stdout++
		} else {
			// Checked before the SBOM is made; written after.
			if _, err := contain.OutputFile(file, contain.Flag("-o "+format)); err != nil {
				return nil, err
			}
		}
		outs = append(outs, sbomOutput{Format: format, File: file})
	}
	if stdout > 1 {
		return nil, usageError{errors.New("-o: only one format can go to stdout; give the others a file (-o FORMAT=FILE)")}
	}
	return outs, nil
}

func newSBOMCmd(e *env) *cobra.Command {
	var (
		sources        []string
		outputs        []string
		productVersion string
		noCache        bool
	)
	cmd := &cobra.Command{
		Use:   "sbom [PATH]",
		Short: "Make the product's SBOM (CycloneDX 1.6, SPDX 2.3) with the syft library",
		Long: `Make the product's SBOM alone, with the config and sbom stages of
'cemark run': the sources are catalogued with the syft library (no network
unless cemark.yaml enables remote look-ups), merged under the product as
primary component and enriched towards BSI TR-03183-2 v2.1 and the NTIA
minimum elements. The same tree gives the same bytes as the run's
.cemark/sbom.cdx.json and sbom.spdx.json.

Sources (--source, repeatable; default: cemark.yaml's sources, else the
product root): dir:PATH, file:PATH, docker-archive:FILE, oci-archive:FILE,
oci-dir:DIR; relative paths are relative to PATH.

Outputs (-o, repeatable): FORMAT=FILE writes a file, FORMAT alone writes
to stdout; formats cyclonedx-json and spdx-json. Without -o the CycloneDX
document goes to stdout. A short quality summary goes to stderr.

The timestamp is SOURCE_DATE_EPOCH, else the time of the product revision
(the newest commit that changed more than the technical file and the
evidence directory): two runs on the same inputs give the same bytes.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			outs, err := parseSBOMOutputs(outputs)
			if err != nil {
				return err
			}
			ui := newStageUI(e.stderr, e.getenv)
			stop := watchSyft(ctx, ui)
			ev, err := evidence.Run(ctx, evidence.Options{
				Stages: evidence.SBOMStages, NoCache: noCache,
				Root: root, Sources: sources, ProductVersion: productVersion,
				Getenv: e.getenv, Progress: ui,
			})
			stop()
			if err != nil {
				return err
			}
			res := ev.SBOM
			for _, o := range outs {
				data := res.CycloneDX
				if o.Format == "spdx-json" {
					if data, err = res.SPDX(); err != nil {
						return err
					}
				}
				if o.File == "" {
					if _, err := e.stdout.Write(data); err != nil {
						return fmt.Errorf("write %s to stdout: %w", o.Format, err)
					}
					continue
				}
				// A relative FILE is relative to the working directory, as a
				// user expects of an output path; temp file + rename.
				if err := evidencedir.WriteFileAtomic(filepath.Clean(o.File), data, 0o644); err != nil {
					return fmt.Errorf("write %s: %w", o.File, err)
				}
			}
			fmt.Fprint(e.stderr, res.Quality.Summary())
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&sources, "source", nil, "a source to scan (repeatable): dir:PATH, file:PATH, docker-archive:FILE, oci-archive:FILE, oci-dir:DIR")
	cmd.Flags().StringArrayVarP(&outputs, "output", "o", nil, "FORMAT=FILE or FORMAT for stdout (repeatable); formats: cyclonedx-json, spdx-json")
	cmd.Flags().StringVar(&productVersion, "product-version", "", "the product's version (default: cemark.yaml, else git describe, else the commit)")
	addNoCache(cmd.Flags(), &noCache)
	return cmd
}
