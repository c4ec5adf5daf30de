package input

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckGlob(t *testing.T) {
	for g, refuse := range map[string]string{
		"/etc/*": "absolute path", "../../etc/*": "leaves the product root", "dist/[": "not a valid glob",
		"": "is empty", "a/../../b": "leaves the product root",
	} {
		err := CheckGlob(g, Origin{Key: "updates.artifacts[0]", Where: "cemark.yaml:2:15"}, false)
		if err == nil || !strings.Contains(err.Error(), refuse) || !strings.HasPrefix(err.Error(), "cemark.yaml:2:15: updates.artifacts[0]") {
			t.Errorf("CheckGlob(%q) = %v, want %q", g, err, refuse)
		}
		var pe *PathError
		if !IsUsage(err) || !errors.As(err, &pe) || pe.Path != g {
			t.Errorf("CheckGlob(%q) = %#v, want a *PathError, a usage error", g, err)
		}
	}
	for _, g := range []string{"dist/*", "**/*.tar.gz", "./bin/{a,b}"} {
		if err := CheckGlob(g, Origin{Key: "--artifacts"}, false); err != nil {
			t.Errorf("CheckGlob(%q) = %v", g, err)
		}
	}
	if err := CheckGlob("/srv/dist/*", Origin{Key: "--artifacts"}, true); err != nil {
		t.Errorf("absolute glob from the command line: %v", err)
	}
}

func TestUsageError(t *testing.T) {
	if Usage(nil) != nil {
		t.Error("Usage(nil) is not nil")
	}
	base := errors.New("no such check CEM-X-001")
	err := Usage(base)
	if !IsUsage(err) || !errors.Is(err, base) || err.Error() != base.Error() {
		t.Errorf("Usage(%v) = %#v", base, err)
	}
	if again := Usage(err); again != err {
		t.Errorf("a usage error wrapped twice: %v", again)
	}
	at := &UsageError{Where: "cemark.yaml:4:8", Err: base}
	if at.Error() != "cemark.yaml:4:8: no such check CEM-X-001" {
		t.Errorf("with a position: %q", at.Error())
	}
	if IsUsage(base) {
		t.Error("a plain error taken for a usage error")
	}
	kinded := []interface{ FailureKind() error }{&UsageError{Err: base}, &PathError{}}
	for _, k := range kinded {
		if k.FailureKind() != ErrUsage {
			t.Errorf("%T is not of the kind ErrUsage", k)
		}
	}
}

func TestSizeBounds(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("0123456789"), 0o644)
	var tl *TooLargeError
	if _, err := ReadRegular(p, 9); !errors.As(err, &tl) || tl.Size != 10 || tl.Limit != 9 {
		t.Fatalf("over the bound: %v", err)
	}
	if b, err := ReadRegular(p, 10); err != nil || string(b) != "0123456789" {
		t.Fatalf("at the bound: %q, %v", b, err)
	}
	// A stream that grows past the bound is cut off.
	_, err := io.ReadAll(LimitedReader(strings.NewReader("0123456789"), "stream", 4))
	if !errors.As(err, &tl) {
		t.Fatalf("stream: %v", err)
	}
	if b, err := io.ReadAll(LimitedReader(strings.NewReader("0123"), "stream", 4)); err != nil || string(b) != "0123" {
		t.Fatalf("stream at the bound: %q, %v", b, err)
	}
}

func TestWithin(t *testing.T) {
	root := filepath.Join(string(filepath.Separator), "srv", "product")
	for p, want := range map[string]bool{
		root: true, filepath.Join(root, "dist", "app"): true,
		filepath.Join(root, "..", "product2"): false, filepath.Dir(root): false,
	} {
		if got := Within(root, filepath.Clean(p)); got != want {
			t.Errorf("Within(%q, %q) = %v, want %v", root, p, got, want)
		}
	}
}
