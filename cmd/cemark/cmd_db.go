package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/version"
	"github.com/cemark/cemark/evidence/vulns"
)

// dbOptions are the flags of `cemark db …`.
type dbOptions struct {
	dir, config, url, caCert string
	asJSON                   bool
}

func (o *dbOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.dir, "vuln-db", "", "vulnerability database folder, grype's layout (default: vulnerabilities.db, $"+vulns.EnvDB+", $XDG_CACHE_HOME/cemark/grype-db)")
	f.StringVar(&o.config, "config", "", "configuration file (default ./cemark.yaml when it exists)")
	f.BoolVar(&o.asJSON, "json", false, "print the database's facts as JSON on stdout")
}

func newDBCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the vulnerability database (grype's, schema v6)",
		Long: `cemark matches the SBOM against grype's schema-v6 vulnerability database,
which carries CISA KEV and EPSS data beside the advisories. It lives in a
folder in grype's own layout (DIR/6/vulnerability.db), so a grype cache
folder (~/.cache/grype/db) can be pointed at. The folder is, in order:
--vuln-db, vulnerabilities.db in cemark.yaml, $` + vulns.EnvDB + `, or
$XDG_CACHE_HOME/cemark/grype-db. cemark run never downloads it unless
--vuln-db-update.`,
	}
	cmd.AddCommand(newDBUpdateCmd(e), newDBStatusCmd(e))
	return cmd
}

func newDBUpdateCmd(e *env) *cobra.Command {
	var o dbOptions
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the newest vulnerability database, validated, into the database folder",
		Long: `Download the newest schema-v6 database from grype's listing (--db-url for a
mirror) with grype's own distribution client: the archive's checksum from
the listing is verified, the database is hydrated and its checksum
recorded, and it replaces the old one only when all of that succeeded.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loc, cfg, err := vulns.Locate(".", o.config, o.dir, e.getenv)
			if err != nil {
				return usageError{err}
			}
			res, err := vulns.Update(cmd.Context(), vulns.UpdateOptions{
				Dir: loc.Dir, ListingURL: o.url, CACert: o.caCert, Timeout: timeout,
				ToolVersion: version.Get().Cemark, MaxAge: vulns.MaxAge(cfg), Now: time.Now(),
			})
			if err != nil {
				return err
			}
			if o.asJSON {
				return printDBJSON(e, res.DB)
			}
			if res.Updated {
				fmt.Fprintf(e.stderr, "cemark: vulnerability database updated in %s\n", loc.Dir)
			} else {
				fmt.Fprintf(e.stderr, "cemark: the vulnerability database in %s is the newest\n", loc.Dir)
			}
			printDB(e, loc, res.DB)
			return nil
		},
	}
	o.addFlags(cmd)
	cmd.Flags().StringVar(&o.url, "db-url", vulns.DefaultListingURL, "database listing URL (a mirror of grype's)")
	cmd.Flags().StringVar(&o.caCert, "ca-cert", "", "PEM file of extra root certificates for the listing's server")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "bound on the download")
	return cmd
}

func newDBStatusCmd(e *env) *cobra.Command {
	var o dbOptions
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the vulnerability database's build date, schema and checksum",
		Long: `Show the database cemark would use: its folder and which setting chose it,
build date, schema, checksum (verified against the file), where it came
from, and its providers. Exits 1 when there is no usable database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loc, cfg, err := vulns.Locate(".", o.config, o.dir, e.getenv)
			if err != nil {
				return usageError{err}
			}
			db, err := vulns.Status(loc.Dir, vulns.MaxAge(cfg), time.Now())
			if err != nil {
				return err
			}
			if o.asJSON {
				return printDBJSON(e, db)
			}
			printDB(e, loc, db)
			return nil
		},
	}
	o.addFlags(cmd)
	return cmd
}

func printDB(e *env, loc vulns.Location, db vulnscan.DB) {
	fmt.Fprintf(e.stdout, "Location:  %s (%s)\n", loc.Dir, loc.From)
	fmt.Fprintf(e.stdout, "Built:     %s (%d days ago)\n", db.Built.UTC().Format(time.RFC3339), db.Age.Days())
	fmt.Fprintf(e.stdout, "Schema:    %s\n", db.Schema)
	fmt.Fprintf(e.stdout, "Checksum:  %s\n", orDash(db.Checksum))
	fmt.Fprintf(e.stdout, "Source:    %s\n", orDash(db.Source))
	for _, p := range db.Providers {
		fmt.Fprintf(e.stdout, "Provider:  %s (captured %s)\n", p.Name, p.Captured.UTC().Format(time.DateOnly))
	}
	status := "current"
	if db.Stale {
		status = fmt.Sprintf("stale: older than %d days; results may miss recent advisories (run cemark db update)", db.MaxAge.Days())
	}
	fmt.Fprintf(e.stdout, "Status:    %s\n", status)
}

func printDBJSON(e *env, db vulnscan.DB) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(db)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
