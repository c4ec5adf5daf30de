package main

import "net/http"

const addr = ":8443"

func main() {
	srv := &http.Server{Addr: addr}
	srv.ListenAndServeTLS("c", "k")
}
