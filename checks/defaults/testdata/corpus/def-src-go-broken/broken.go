package x

var c = tls.Config{InsecureSkipVerify: true
