package storagetest

import "crypto/tls"

func Client() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }
