package vulnhandling

import (
	"bufio"
	"bytes"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/cemark/cemark/checks"
)

// ChannelGitHubPVR names GitHub private vulnerability reporting (security
// advisories) as a reporting channel.
const ChannelGitHubPVR = "github-private-vulnerability-reporting"

// Policy is what a security policy file says.
type Policy struct {
	Path string
	// Channels are the reporting channels named: e-mail addresses
	// (mailto:…), reporting URLs, or ChannelGitHubPVR. Sorted, unique.
	Channels    []string
	ChannelLine int
	// Timeline is the first disclosure timeline found ("90 days",
	// "coordinated disclosure"); empty when none.
	Timeline     string
	TimelineLine int
}

// policyPaths are where GitHub and GitLab look for a security policy.
func isPolicyPath(p string) bool {
	dir, base := path.Dir(p), strings.ToLower(path.Base(p))
	if base != "security.md" && base != "security.rst" && base != "security.txt" && base != "security" {
		return false
	}
	if base == "security.txt" && dir == "." {
		return false // RFC 9116 security.txt at the root, not a policy
	}
	return dir == "." || dir == ".github" || dir == "docs" || dir == ".gitlab"
}

// FindPolicy returns the path of the security policy: the local file
// named by security.cvd_policy, else SECURITY.md at the root, then in
// .github/, docs/, .gitlab/. Empty when there is none.
func FindPolicy(t *checks.Target, configured string) string {
	if configured != "" && !isURL(configured) {
		rel := strings.TrimPrefix(path.Clean(strings.ReplaceAll(configured, "\\", "/")), "./")
		if t.Files.Has(rel) {
			return rel
		}
	}
	var found []string
	for _, e := range t.Files.Match(isPolicyPath) {
		found = append(found, e.Path)
	}
	rank := func(p string) int {
		switch path.Dir(p) {
		case ".":
			return 0
		case ".github":
			return 1
		case "docs":
			return 2
		}
		return 3
	}
	sort.SliceStable(found, func(i, j int) bool { return rank(found[i]) < rank(found[j]) })
	if len(found) == 0 {
		return ""
	}
	return found[0]
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

var (
	emailRe = regexp.MustCompile(`(?i)\b(?:mailto:)?([a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,})\b`)
	urlRe   = regexp.MustCompile("https?://[^\\s<>()\\[\\]\"'`]+")
	// reportingURL marks URLs that are reporting channels rather than
	// links to documentation.
	reportingURL = regexp.MustCompile(`(?i)security|advisor|vulnerab|report|disclos|hackerone|bugcrowd|intigriti|yeswehack|huntr|/issues/new`)
	pvrRe        = regexp.MustCompile(`(?i)private(ly)? vulnerability report|security/advisories/new|report a vulnerability|security advisor(y|ies)|private security advisory`)
	timelineRe   = regexp.MustCompile(`(?i)\b(?:within|after|up to|no later than|at most|maximum of)?\s*\d+\s*(?:calendar |business |working )?(?:hours?|days?|weeks?|months?)\b`)
	cvdPhraseRe  = regexp.MustCompile(`(?i)\b(coordinated (vulnerability )?disclosure|responsible disclosure|embargo(ed)?|disclosure deadline)\b`)
)

// ParsePolicy reads a security policy for its reporting channels and its
// disclosure timeline.
func ParsePolicy(p string, data []byte) *Policy {
	pol := &Policy{Path: p}
	seen := map[string]bool{}
	add := func(ch string, line int) {
		if seen[ch] {
			return
		}
		seen[ch] = true
		pol.Channels = append(pol.Channels, ch)
		if pol.ChannelLine == 0 {
			pol.ChannelLine = line
		}
	}
	phraseTimeline, phraseLine := "", 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), checks.MaxFileSize)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		for _, m := range emailRe.FindAllStringSubmatch(text, -1) {
			add("mailto:"+strings.ToLower(m[1]), line)
		}
		for _, u := range urlRe.FindAllString(text, -1) {
			u = strings.TrimRight(u, ".,;:")
			if reportingURL.MatchString(u) {
				add(NormalizeContact(u), line)
			}
		}
		if pvrRe.MatchString(text) {
			add(ChannelGitHubPVR, line)
		}
		if pol.Timeline == "" {
			if m := timelineRe.FindString(text); m != "" {
				pol.Timeline, pol.TimelineLine = strings.TrimSpace(m), line
			}
		}
		if phraseTimeline == "" {
			if m := cvdPhraseRe.FindString(text); m != "" {
				phraseTimeline, phraseLine = strings.ToLower(m), line
			}
		}
	}
	if pol.Timeline == "" && phraseTimeline != "" {
		pol.Timeline, pol.TimelineLine = phraseTimeline, phraseLine
	}
	sort.Strings(pol.Channels)
	return pol
}

// NormalizeContact makes contact addresses comparable: "mailto:" added to
// bare e-mail addresses, lower case, no trailing slash, no surrounding
// angle brackets or spaces.
func NormalizeContact(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	l := strings.ToLower(s)
	switch {
	case strings.HasPrefix(l, "mailto:"):
		l = "mailto:" + strings.TrimPrefix(l, "mailto:")
	case !strings.Contains(l, "://") && strings.Contains(l, "@") && !strings.HasPrefix(l, "tel:"):
		l = "mailto:" + l
	}
	return strings.TrimSuffix(l, "/")
}
