package defaults

import (
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse"
)

// Configuration-file formats the credential check reads.
const (
	formatEnv    = "env"    // .env: KEY=value, export KEY=value
	formatKV     = "kv"     // .ini .cfg .conf .properties .toml .cnf: key = value, key: value, key value
	formatYAML   = "yaml"   // Spring application*.yml, .NET appsettings*.json
	formatPython = "python" // Django/Flask settings modules
)

// exampleMarkers in a file name mark a template of placeholders that does
// not ship: .env.example, config.ini.sample, settings.py.dist …
var exampleMarkers = []string{".example", ".sample", ".template", ".dist", ".tmpl", ".tpl", "example.", "sample.", ".orig", ".bak"}

// configFormat returns the format of a configuration file the credential
// check reads, or "" when the file is not one.
func configFormat(rel string) string {
	base := strings.ToLower(path.Base(rel))
	for _, m := range exampleMarkers {
		if strings.Contains(base, m) {
			return ""
		}
	}
	switch {
	case base == ".env" || base == ".env.production" || base == ".env.prod" || strings.HasSuffix(base, ".env") && !checks.DevVariant(base):
		// .env.development, .env.local, .env.test and dev.env are developer files.
		return formatEnv
	case strings.HasPrefix(base, ".env."):
		return ""
	}
	ext := path.Ext(base)
	switch ext {
	case ".ini", ".cfg", ".conf", ".properties", ".toml", ".cnf":
		return formatKV
	case ".yml", ".yaml":
		if strings.HasPrefix(base, "application") || strings.HasPrefix(base, "bootstrap") {
			return formatYAML
		}
	case ".json":
		if strings.HasPrefix(base, "appsettings") {
			return formatYAML
		}
	case ".py":
		if base == "settings.py" || base == "config.py" || isDjangoSettings(rel) {
			return formatPython
		}
	}
	return ""
}

var (
	rePyAssign = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:"([^"]*)"|'([^']*)')\s*(?:#.*)?$`)
	rePyDict   = regexp.MustCompile(`["']([A-Za-z_][A-Za-z0-9_]*)["']\s*:\s*(?:"([^"]*)"|'([^']*)')`)
)

// scanConfig returns the settings of one configuration file.
func scanConfig(rel string, data []byte) ([]Setting, error) {
	format := configFormat(rel)
	if format == formatYAML {
		return scanYAMLConfig(rel, data)
	}
	return scanConfigFormat(rel, data, format)
}

// scanConfigFormat reads a line-based configuration file of a known format.
func scanConfigFormat(rel string, data []byte, format string) ([]Setting, error) {
	var out []Setting
	section := "" // INI/TOML section, so that [db] and [smtp] passwords keep apart
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if format == formatKV && strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			section = strings.Trim(t, "[] \t")
			continue
		}
		if t == "" || isCommentLine(t) || t[0] == '!' || t[0] == '[' {
			continue
		}
		col := len(line) - len(strings.TrimLeft(line, " \t")) + 1
		add := func(key, val string) {
			out = append(out, Setting{Origin: OriginConfigFile, Path: rel, Line: i + 1, Column: col, Key: key, Value: val, Raw: val, Runtime: false, Shipped: true})
		}
		switch format {
		case formatEnv:
			t = strings.TrimPrefix(t, "export ")
			k, v, ok := strings.Cut(t, "=")
			if ok {
				add(strings.TrimSpace(k), stripInlineComment(strings.TrimSpace(v)))
			}
		case formatKV:
			k, v, ok := cutKV(t)
			if ok {
				if section != "" {
					k = section + "." + k
				}
				add(k, stripInlineComment(v))
			}
		case formatPython:
			if m := rePyAssign.FindStringSubmatch(line); m != nil {
				add(m[1], m[2]+m[3])
				continue
			}
			for _, m := range rePyDict.FindAllStringSubmatch(line, -1) {
				add(m[1], m[2]+m[3])
			}
		}
	}
	return out, nil
}

// cutKV splits "key = value", "key: value" or "key value" (redis.conf,
// my.cnf).
func cutKV(t string) (string, string, bool) {
	i := strings.IndexAny(t, "=:")
	sp := strings.IndexAny(t, " \t")
	if i > 0 && (sp < 0 || sp > i || strings.TrimSpace(t[sp:i]) == "") {
		return strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+1:]), true
	}
	if sp > 0 {
		return t[:sp], strings.TrimSuffix(strings.TrimSpace(t[sp:]), ";"), true
	}
	return "", "", false
}

// stripInlineComment drops " # comment" and " ; comment" after a value.
func stripInlineComment(v string) string {
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		if j := strings.IndexByte(v[1:], v[0]); j >= 0 {
			return v[:j+2]
		}
		return v
	}
	for _, m := range []string{" #", "\t#", " ;", "\t;"} {
		if j := strings.Index(v, m); j >= 0 {
			v = v[:j]
		}
	}
	return strings.TrimSpace(v)
}

// scanYAMLConfig walks a YAML (or JSON) configuration file's mappings and
// returns every scalar with its dotted key path.
func scanYAMLConfig(rel string, data []byte) ([]Setting, error) {
	docs, err := parse.YAMLDocuments(data)
	if err != nil {
		return nil, err
	}
	var out []Setting
	var walk func(n *yaml.Node, prefix string, depth int)
	walk = func(n *yaml.Node, prefix string, depth int) {
		if n == nil || depth > parse.MaxYAMLDepth {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, prefix, depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				key := k.Value
				if prefix != "" {
					key = prefix + "." + k.Value
				}
				// Aliases are not followed: the anchor is judged where it is written.
				if v.Kind == yaml.ScalarNode {
					out = append(out, Setting{Origin: OriginConfigFile, Path: rel, Line: k.Line, Column: k.Column, Key: key, Value: v.Value, Raw: v.Value, Shipped: true})
					continue
				}
				walk(v, key, depth+1)
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, prefix, depth+1)
			}
		}
	}
	for _, d := range docs {
		walk(d, "", 0)
	}
	return out, nil
}
