package update

import (
	"io"

	"github.com/minio/selfupdate"
)

func apply(body io.Reader) error {
	return selfupdate.Apply(body, selfupdate.Options{})
}
