package main

// http.ListenAndServe(":23", nil)
/* net.Listen("tcp", ":2375") */
func main() {}
