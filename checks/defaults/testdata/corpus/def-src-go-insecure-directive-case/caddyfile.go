package proxy

import "crypto/tls"

type Dispenser interface {
	NextBlock() bool
	Val() string
}

// parse reads a configuration block: verification is off only when the
// operator writes the directive.
func parse(d Dispenser, cfg *tls.Config) {
	for d.NextBlock() {
		switch d.Val() {
		case "tls_server_name":
			cfg.ServerName = d.Val()
		case "tls_insecure_skip_verify":
			if cfg.ServerName == "" {
				cfg.ServerName = "localhost"
			}
			cfg.InsecureSkipVerify = true
		case "insecure":
			cfg.InsecureSkipVerify = true
		default:
			cfg.InsecureSkipVerify = true
		}
	}
}
