package client

import "crypto/tls"

func New(insecure bool) *tls.Config {
	cfg := &tls.Config{}
	if insecure {
		cfg.InsecureSkipVerify = true
	}
	return cfg
}

var always = &tls.Config{InsecureSkipVerify: true}
