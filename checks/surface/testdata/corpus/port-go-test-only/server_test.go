package main

import "net/http"

func TestX() { http.ListenAndServe(":23", nil) }
