package codequality

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/format/internal/fixture"
	"github.com/cemark/cemark/evidence/format/internal/golden"
	"github.com/cemark/cemark/internal/jsonindent"
)

func TestEncode(t *testing.T) {
	for name, rep := range map[string]*checks.Report{"full": fixture.Report(), "empty": fixture.Empty()} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, rep); err != nil {
				t.Fatal(err)
			}
			if bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")) {
				t.Error("BOM")
			}
			var issues []map[string]any
			if err := json.Unmarshal(buf.Bytes(), &issues); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, is := range issues {
				for _, k := range []string{"description", "check_name", "fingerprint", "severity", "location"} {
					if _, ok := is[k]; !ok {
						t.Errorf("issue without %s: %v", k, is)
					}
				}
				switch is["severity"] {
				case "info", "minor", "major", "critical", "blocker":
				default:
					t.Errorf("bad severity %v", is["severity"])
				}
				fp := is["fingerprint"].(string)
				if seen[fp] {
					t.Errorf("duplicate fingerprint %s", fp)
				}
				seen[fp] = true
			}
			golden.Check(t, buf.Bytes())
		})
	}
}

func TestOnlyFailingAndWarning(t *testing.T) {
	rep := fixture.Report()
	want := 0
	for _, f := range rep.Findings() {
		if f.Outcome == checks.Fail || f.Outcome == checks.Warn {
			want++
		}
	}
	if got := len(Issues(rep)); got != want {
		t.Errorf("%d issues, want %d", got, want)
	}
}

// TestFingerprintIsTheBaselines: GitLab tells new issues from resolved
// ones by the fingerprint, the baseline by checks.Fingerprint: one value,
// tested there for line shifts and moves.
func TestFingerprintIsTheBaselines(t *testing.T) {
	rep := fixture.Report()
	for _, is := range Issues(rep) {
		found := false
		for _, f := range rep.Findings() {
			if f.Check == is.CheckName && checks.Fingerprint(f) == is.Fingerprint {
				found = true
			}
		}
		if !found {
			t.Errorf("%s at %s: fingerprint %s is no finding's checks.Fingerprint", is.CheckName, is.Location.Path, is.Fingerprint)
		}
	}
}

// TestEncodeInPiecesIsTheWholeReport: the issues encoded a few hundred at
// a time are byte for byte the report encoded at once.
func TestEncodeInPiecesIsTheWholeReport(t *testing.T) {
	r := fixture.Many(600)
	var b, whole bytes.Buffer
	if err := Encode(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := jsonindent.Encode(&whole, Issues(r), "  ", false); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), whole.Bytes()) || len(Issues(r)) < 600 {
		t.Error("the issues encoded in pieces differ from the report encoded at once")
	}
}
