package config

import (
	"testing"
	"time"
)

func TestVulnerabilitiesSection(t *testing.T) {
	cfg, err := Parse("cemark.yaml", []byte("vulnerabilities:\n  db: .cache/grype-db\n  max_db_age: 36h\n  vex: [security/gateway.openvex.json]\n  fail_on_kev: false\n  fail_severity: critical\n  fail_unfixed: true\n  fail_epss_percentile: 95\n"))
	if err != nil {
		t.Fatal(err)
	}
	v := cfg.Vulnerabilities
	if v.DB != ".cache/grype-db" || v.MaxDBAge != "36h" || len(v.VEX) != 1 || v.FailOnKEV == nil || *v.FailOnKEV ||
		v.FailSeverity != "critical" || !v.FailUnfixed || v.FailEPSSPercentile != 95 {
		t.Errorf("%+v", v)
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"5d": 120 * time.Hour, "36h": 36 * time.Hour, "1d": 24 * time.Hour} {
		if got, err := ParseAge(in); err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0d", "5", "5m", "-1d", "1.5d", "5 d"} {
		if _, err := ParseAge(bad); err == nil {
			t.Errorf("ParseAge(%q) accepted", bad)
		}
	}
}
