package techfile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// largeDocument is a technical-file document as a 50 000-file product
// makes it: a generated region of n table rows (the port inventory), a
// manual region, CRLF and LF line ends, and a last line without one.
func largeDocument(n int) (doc string, rows string) {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "| svc%03d/app%d/Dockerfile | %d/tcp | not stated |\n", i/50, i, 8000+i%1000)
	}
	rows = b.String()
	doc = "<!-- cemark:generated id=ports sha256=" + hashOf(rows) + " -->\n" + rows + "<!-- cemark:end -->\n\r\n" +
		"<!-- cemark:manual id=notes -->\r\nWritten by hand.\r\n<!-- cemark:end -->\n\n" +
		"<!-- cemark:manual id=last -->\nno newline at the end"
	return doc + "\n<!-- cemark:end -->", rows
}

// TestParseRegionsLarge: a large document parses into the same segments,
// byte for byte, as its parts do.
func TestParseRegionsLarge(t *testing.T) {
	t.Parallel()
	doc, rows := largeDocument(100000)
	segs, err := parseRegions(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := []segment{
		{kind: kindGenerated, id: "ports", hash: hashOf(rows), body: rows, line: 1},
		{kind: kindText, body: "\r\n"},
		{kind: kindManual, id: "notes", body: "Written by hand.\r\n", line: 100004},
		{kind: kindText, body: "\n"},
		{kind: kindManual, id: "last", body: "no newline at the end\n", line: 100008},
	}
	if diff := cmp.Diff(want, segs, cmp.AllowUnexported(segment{})); diff != "" {
		t.Errorf("segments (-want +got):\n%.2000s", diff)
	}
	if segs[0].edited() {
		t.Error("the generated region reads as edited")
	}
}

// TestCompareLargeLists: the substantial-modification comparison of two
// long lists names exactly the entries only one of them has, in order.
func TestCompareLargeLists(t *testing.T) {
	t.Parallel()
	var a, b []string
	for i := 0; i < 60000; i++ {
		v := fmt.Sprintf("tcp/%d (bind: unknown)", i)
		if i%3 != 0 {
			a = append(a, v)
		}
		if i%5 != 0 {
			b = append(b, v)
		}
	}
	got := compare(summary{Interfaces: a}, summary{Interfaces: b})
	var want []Change
	for i := 0; i < 60000; i++ {
		if i%3 != 0 && i%5 == 0 {
			want = append(want, Change{Aspect: "exposed interface", Before: fmt.Sprintf("tcp/%d (bind: unknown)", i)})
		}
	}
	for i := 0; i < 60000; i++ {
		if i%5 != 0 && i%3 == 0 {
			want = append(want, Change{Aspect: "exposed interface", After: fmt.Sprintf("tcp/%d (bind: unknown)", i)})
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%.2000s", diff)
	}
}

// BenchmarkParseRegions shows the cost growing linearly with the region.
func BenchmarkParseRegions(b *testing.B) {
	for _, n := range []int{10000, 50000} {
		doc, _ := largeDocument(n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := parseRegions(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
