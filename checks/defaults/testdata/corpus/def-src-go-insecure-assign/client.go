package client

import "crypto/tls"

func New() *tls.Config {
	cfg := &tls.Config{}
	cfg.InsecureSkipVerify = true
	return cfg
}
