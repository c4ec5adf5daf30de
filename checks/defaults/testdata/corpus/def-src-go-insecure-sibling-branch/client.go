package client

import (
	"crypto/tls"
	"log"
)

func New(insecure bool) *tls.Config {
	cfg := &tls.Config{}
	if insecure {
		log.Print("insecure mode requested")
	}
	cfg.InsecureSkipVerify = true
	return cfg
}
