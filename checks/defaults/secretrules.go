package defaults

import (
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
)

// Known credential formats come from a maintained rule set rather than a
// list of regular expressions grown here: gitleaks' default rules (AWS,
// GCP and Azure keys, GitHub/GitLab tokens, Slack and Stripe secrets,
// private keys, JWTs … about two hundred, each with its own entropy
// threshold and allowlist of documentation examples such as AKIA…EXAMPLE).
// A value one of its specific rules matches is a credential whatever its
// key is called. Its generic rule (a key word plus entropy) is left to
// cemark's own key judgement, which also knows placeholders, references
// and paths.

// genericRule is gitleaks' catch-all rule, not a known format.
const genericRule = "generic-api-key"

// minRuleValue is the shortest value worth giving to the rules: every
// known token format is longer.
const minRuleValue = 16

// silenceGitleaks silences gitleaks' package-level zerolog logger, which
// writes to stderr; cemark's stderr is for its own messages. That logger
// is the only lever, so it is set once, before the first rule set is
// built (setting it again while rules run would race).
var silenceGitleaks sync.Once

// newSecretDetector builds gitleaks' default rule set, nil if it does not
// load. It is about 20 MB once built (a keyword trie and two hundred
// expressions, tens of milliseconds of work), so each judgement builds its
// own and lets it go instead of keeping one for the process: the tree's
// settings are judged while syft catalogues, before the run's peak.
func newSecretDetector() *detect.Detector {
	silenceGitleaks.Do(func() { logging.Logger = zerolog.Nop() })
	v := viper.New() // never viper's global instance
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(config.DefaultConfig)); err != nil {
		return nil
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return nil
	}
	cfg, err := vc.Translate()
	if err != nil {
		return nil
	}
	return detect.NewDetector(cfg)
}

// secretRules judges values with gitleaks' rules, built on first use.
type secretRules struct {
	detector func() *detect.Detector
}

func newSecretRules() *secretRules {
	return &secretRules{detector: sync.OnceValue(newSecretDetector)}
}

// knownRule returns the gitleaks rule a key/value pair matches ("" for
// none, or only the generic rule).
func (r *secretRules) knownRule(key, value string) string {
	if len(strings.TrimSpace(value)) < minRuleValue {
		return ""
	}
	d := r.detector()
	if d == nil {
		return ""
	}
	for _, f := range d.DetectString(key + "=" + value) {
		if f.RuleID != genericRule {
			return f.RuleID
		}
	}
	return ""
}
