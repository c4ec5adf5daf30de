package main

import "net/http"

func main() {
	http.ListenAndServeTLS(":8443", "c.pem", "k.pem", nil)
}
