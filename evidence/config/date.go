package config

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// Date is a calendar date written YYYY-MM-DD, with no time of day or zone:
// support periods and waivers end on a day, not an instant.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads YYYY-MM-DD and rejects impossible days (2026-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date: expected YYYY-MM-DD", s)
	}
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Time is the start of the day in UTC.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is an earlier day than the day of t (UTC).
func (d Date) Before(t time.Time) bool {
	y, m, dd := t.UTC().Date()
	return d.Time().Before(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC))
}

// AddYears returns the same day n years later.
func (d Date) AddYears(n int) Date {
	t := d.Time().AddDate(n, 0, 0)
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

// UnmarshalYAML accepts a scalar YYYY-MM-DD only.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("expected a date YYYY-MM-DD")
	}
	v, err := ParseDate(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalYAML writes YYYY-MM-DD.
func (d Date) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("expected a date string YYYY-MM-DD")
	}
	v, err := ParseDate(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ParseAge reads an age written as whole days or hours ("5d", "36h"), as
// vulnerabilities.max_db_age takes it.
func ParseAge(s string) (time.Duration, error) {
	if !agePattern.MatchString(s) {
		return 0, fmt.Errorf("%q is not an age: expected days or hours, e.g. \"5d\" or \"36h\"", s)
	}
	var n int
	if _, err := fmt.Sscanf(s[:len(s)-1], "%d", &n); err != nil {
		return 0, fmt.Errorf("%q is not an age: %w", s, err)
	}
	unit := time.Hour
	if s[len(s)-1] == 'd' {
		unit = 24 * time.Hour
	}
	return time.Duration(n) * unit, nil
}
