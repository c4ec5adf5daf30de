package sbom

import (
	"context"
	"fmt"
	"runtime/pprof"

	"github.com/anchore/syft/syft"
)

// LicenceScanner is syft's licence scanner, built once for a run. syft
// builds one at the start of every scan, before it catalogues anything:
// licensecheck compiles its ~550 licence templates into one matcher,
// about 0.6 s of CPU on the critical path. Started early, it is built
// while other work goes on (the configuration is read, git is asked, the
// source's files are indexed), and it is shared by all the sources.
type LicenceScanner struct {
	done chan struct{}
	// values carries the scanner where syft looks for it.
	values context.Context
	err    error
}

// StartLicenceScanner starts building syft's licence scanner in the
// background, with cemark's licence configuration (CreateSBOMConfig).
func StartLicenceScanner() *LicenceScanner {
	l := &LicenceScanner{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("work", "licence-scanner")))
		cfg := licenceConfig()
		// The scanner is built from embedded data and takes no context:
		// a cancelled run simply stops waiting for it.
		l.values, l.err = syft.SetContextLicenseScanner(context.Background(), cfg)
	}()
	return l
}

// withScanner waits for the scanner and returns ctx carrying it, so that
// syft.CreateSBOM uses it instead of building its own.
func (l *LicenceScanner) withScanner(ctx context.Context) (context.Context, error) {
	select {
	case <-l.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if l.err != nil {
		return nil, fmt.Errorf("sbom: syft's licence scanner: %w", l.err)
	}
	return withValues{Context: ctx, values: l.values}, nil
}

// withValues is ctx (its deadline, cancellation and values) with the
// values of another context added: the one syft put its scanner in.
type withValues struct {
	context.Context
	values context.Context
}

func (c withValues) Value(key any) any {
	if v := c.values.Value(key); v != nil {
		return v
	}
	return c.Context.Value(key)
}
