//go:build !linux

package evidencedir

import "errors"

func exchange(a, b string) error { return errors.New("atomic exchange not supported") }
