package main

import (
	"flag"
	"net"
)

var addr = flag.String("debug-addr", ":9229", "")

func main() {
	flag.Parse()
	net.Listen("tcp", *addr)
}
