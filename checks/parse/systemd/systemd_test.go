package systemd

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	src := `[Unit]
Description=demo

[Socket]
ListenStream=8080
ListenStream=127.0.0.1:9000
ListenStream=[::]:443
ListenStream=/run/demo.sock
ListenDatagram=0.0.0.0:5353
ListenSequentialPacket=@abstract
Accept=no

[Install]
WantedBy=sockets.target
`
	s := Parse("deploy/demo.socket", []byte(src))
	want := []Listen{
		{Directive: "ListenStream", Address: "8080", Port: 8080, Bind: "all", Protocol: "tcp", Line: 5},
		{Directive: "ListenStream", Address: "127.0.0.1:9000", Port: 9000, Bind: "loopback", Protocol: "tcp", Line: 6},
		{Directive: "ListenStream", Address: "[::]:443", Port: 443, Bind: "all", Protocol: "tcp", Line: 7},
		{Directive: "ListenStream", Address: "/run/demo.sock", Unix: true, Line: 8},
		{Directive: "ListenDatagram", Address: "0.0.0.0:5353", Port: 5353, Bind: "all", Protocol: "udp", Line: 9},
		{Directive: "ListenSequentialPacket", Address: "@abstract", Unix: true, Line: 10},
	}
	if diff := cmp.Diff(want, s.Listens); diff != "" || len(s.Issues) > 0 {
		t.Errorf("listens (-want +got):\n%s\nissues %v", diff, s.Issues)
	}
}

func TestParseBad(t *testing.T) {
	s := Parse("x.socket", []byte("[Socket\nListenStream=80\n"))
	if len(s.Issues) != 1 || !strings.Contains(s.Issues[0].Message, "not a valid systemd unit") {
		t.Errorf("issues: %v", s.Issues)
	}
	s = Parse("x.socket", []byte("[Socket]\nListenStream="+strings.Repeat("9", 5000)+"\n"))
	if len(s.Listens) > 0 && s.Listens[0].Port != 0 {
		t.Errorf("long line: %+v", s)
	}
}
