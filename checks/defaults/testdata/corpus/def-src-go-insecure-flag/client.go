package client

import "crypto/tls"

func New(insecure bool) *tls.Config {
	return &tls.Config{InsecureSkipVerify: insecure}
}
