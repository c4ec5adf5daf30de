package p

const msg = "a DSN with sslmode=disable turns TLS off"
