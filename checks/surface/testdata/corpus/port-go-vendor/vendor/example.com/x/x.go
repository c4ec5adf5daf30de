package x

import "net"

func L() { net.Listen("tcp", ":6379") }
