package caddytest

import "crypto/tls"

var clientTLS = &tls.Config{InsecureSkipVerify: true}
