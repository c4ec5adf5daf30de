package config

import "fmt"

// Position is where a value stands in cemark.yaml (1-based).
type Position struct {
	Line, Column int
}

// Positions maps each setting, named as messages name it ("outputs.dir",
// "updates.artifacts[0]", "waivers[1].check"), to where the file gives its
// value. The loader fills it, so that checks made after loading (paths,
// globs, check IDs) still name file:line:column.
type Positions map[string]Position

// Where names the position of the setting at path: "cemark.yaml:4:8", the
// file alone when the position is unknown, "" for a configuration that
// was not read from a file.
func (c *Config) Where(path string) string {
	if c == nil || c.File == "" {
		return ""
	}
	if p, ok := c.Positions[path]; ok && p.Line > 0 {
		return fmt.Sprintf("%s:%d:%d", c.File, p.Line, p.Column)
	}
	return c.File
}

// ErrorAt is a usage error (failure.ErrUsage) at the setting's position:
// "cemark.yaml:4:8: outputs.dir …".
func (c *Config) ErrorAt(path, format string, args ...any) error {
	e := &Error{File: FileName, Msg: fmt.Sprintf(format, args...)}
	if c != nil && c.File != "" {
		e.File = c.File
		if p, ok := c.Positions[path]; ok {
			e.Line, e.Column = p.Line, p.Column
		}
	}
	return Errors{e}
}
