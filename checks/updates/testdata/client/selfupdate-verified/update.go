package update

import (
	"io"

	"github.com/minio/selfupdate"
)

func apply(body io.Reader, sum []byte, v *selfupdate.Verifier) error {
	return selfupdate.Apply(body, selfupdate.Options{
		Checksum: sum,
		Verifier: v,
	})
}
