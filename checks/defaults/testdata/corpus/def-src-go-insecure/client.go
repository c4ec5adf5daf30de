package client

import "crypto/tls"

var cfg = &tls.Config{
	InsecureSkipVerify: true,
}
