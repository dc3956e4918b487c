// Package browsertest starts a real headless Chromium for tests, through
// chromedp. Without a Chromium on the machine the test is skipped with a
// message saying how to get one, unless PORTICO_REQUIRE_BROWSER is set (as
// .ci/run sets it): then it fails, so CI never passes by skipping.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// candidates are where Debian's chromium package and others put it.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// New returns a browser context for t, closed when t ends. extra flags go
// to Chromium (for example host-resolver-rules).
func New(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := os.Getenv("PORTICO_CHROMIUM")
	if path == "" {
		for _, c := range candidates {
			if p, err := exec.LookPath(c); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("PORTICO_REQUIRE_BROWSER") != "" {
			t.Fatal("PORTICO_REQUIRE_BROWSER is set but no Chromium was found (apt-get install chromium, or set PORTICO_CHROMIUM)")
		}
		t.Skip("skipped: needs a Chromium browser (apt-get install chromium, or set PORTICO_CHROMIUM); .ci/run installs it")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		// The machine has no network: without these Chromium keeps
		// trying to reach Google's services.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first action starts the browser, which lives as long as ctx:
	// no timeout on it (chromedp.Run's documentation).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// WaitFor waits until the JavaScript expression is true in the current
// page, across navigations (an evaluation that a navigation interrupts is
// tried again in the new page), for at most 30 seconds.
func WaitFor(t testing.TB, ctx context.Context, expr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " " + document.readyState + " " + document.title`))
			t.Fatalf("waiting for %s (at %s): %v", expr, where, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
