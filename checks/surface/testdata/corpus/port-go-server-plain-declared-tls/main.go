package main

import "net/http"

func main() {
	srv := http.Server{Addr: ":8443"}
	srv.ListenAndServe()
}
