package main

import "net/http"

func main() {
	go http.ListenAndServe("localhost:6060", nil)
}
