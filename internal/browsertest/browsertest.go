// Package browsertest runs Gatehouse pages in a real headless Chromium for
// tests: each test gets its own browser, and helpers check accessibility
// with axe-core and take screenshots.
//
// Use it only from _test.go files:
//
//	func TestSignIn(t *testing.T) {
//		t.Parallel()
//		ctx := browsertest.New(t)
//		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/signin")); err != nil {
//			t.Fatal(err)
//		}
//		browsertest.Axe(t, ctx)
//		browsertest.Screenshot(t, ctx, filepath.Join(t.TempDir(), "signin.png"))
//	}
//
// The browser is found at $GATEHOUSE_CHROMIUM, /usr/bin/chromium or
// "chromium" on PATH (Debian: apt-get install chromium). Without one the test
// is skipped, unless CI is set or GATEHOUSE_TEST_BROWSER=required, which make
// it fail. axe-core ships with this package (axe.min.js, embedded; MPL-2.0,
// its notice at the top of the file): `npm run vendor` refreshes it from
// node_modules after the axe-core version in package.json changes.
//
// At most GATEHOUSE_BROWSERS browsers (default: the number of CPUs, 1 to 4)
// run at once in one test binary; New blocks until a slot is free. Call New
// at most once per test.
package browsertest

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Timeout bounds each browser test: the context from New ends this long after
// the browser started (or at the test binary's deadline, if sooner). Set it
// in TestMain to change it for a package.
var Timeout = 60 * time.Second

// Width and Height are the size of the browser window.
const (
	Width  = 1280
	Height = 900
)

// slots limits the browsers that run at once in this test binary.
var slots = make(chan struct{}, maxBrowsers())

func maxBrowsers() int {
	if n, err := strconv.Atoi(os.Getenv("GATEHOUSE_BROWSERS")); err == nil && n > 0 {
		return n
	}
	return min(max(runtime.NumCPU(), 1), 4)
}

// ExecPath returns the Chromium binary that New would start, or "" when
// there is none.
func ExecPath() string {
	if p := os.Getenv("GATEHOUSE_CHROMIUM"); p != "" {
		if full, err := exec.LookPath(p); err == nil {
			return full
		}
		return ""
	}
	if isExecutable("/usr/bin/chromium") {
		return "/usr/bin/chromium"
	}
	if full, err := exec.LookPath("chromium"); err == nil {
		return full
	}
	return ""
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// required reports whether a missing browser fails the test.
func required() bool {
	return os.Getenv("CI") != "" || strings.EqualFold(os.Getenv("GATEHOUSE_TEST_BROWSER"), "required")
}

type stateKey struct{}

// state is what New keeps about one browser.
type state struct {
	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// New starts a fresh headless Chromium for t (its own process and profile)
// and returns a chromedp context for its tab. The context ends after
// [Timeout]; the browser is closed and its profile removed when t ends.
func New(t testing.TB) context.Context {
	t.Helper()
	exe := ExecPath()
	if exe == "" {
		msg := "browsertest: no Chromium found (set GATEHOUSE_CHROMIUM, or apt-get install chromium for /usr/bin/chromium)"
		if env := os.Getenv("GATEHOUSE_CHROMIUM"); env != "" {
			t.Fatalf("browsertest: GATEHOUSE_CHROMIUM=%q is not an executable", env)
		}
		if required() {
			t.Fatal(msg + "; a browser is required because CI or GATEHOUSE_TEST_BROWSER=required is set")
		}
		t.Skip(msg)
	}

	// Created before the cleanups below, so it is removed after the browser
	// has exited (cleanups run last-registered first).
	profile := t.TempDir()

	slots <- struct{}{}
	t.Cleanup(func() { <-slots })

	var output lockedBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication"),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(Width, Height),
		chromedp.CombinedOutput(&output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx,
		chromedp.WithErrorf(func(format string, args ...any) { t.Logf("chromedp: "+format, args...) }),
	)

	deadline := time.Now().Add(Timeout)
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if td, ok := d.Deadline(); ok && td.Add(-5*time.Second).Before(deadline) {
			deadline = td.Add(-5 * time.Second)
		}
	}
	ctx, cancelTimeout := context.WithDeadline(browserCtx, deadline)

	st := &state{}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancelTimeout()
		cancelBrowser()
		cancelAlloc() // waits for the browser process to exit
		wg.Wait()
		if t.Failed() {
			st.mu.Lock()
			for _, m := range st.console {
				t.Logf("browser console: %s: %s", m.Type, m)
			}
			st.mu.Unlock()
			if out := quiet(output.String()); out != "" {
				t.Logf("browser output:\n%s", out)
			}
		}
	})

	// Start the browser and open the tab now, so that a failure to start is
	// reported here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start %s: %v\n%s", exe, err, output.String())
	}

	messages := chromedp.Console(ctx)
	wg.Go(func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			st.mu.Lock()
			st.console = append(st.console, m)
			st.mu.Unlock()
		}
	})

	return context.WithValue(ctx, stateKey{}, st)
}

// ConsoleErrors returns the console errors, uncaught exceptions and browser
// log errors (such as Content-Security-Policy violations) that the tab has
// reported so far. Events arrive asynchronously: give the page a moment (or
// wait for something on it) before relying on an empty result.
func ConsoleErrors(ctx context.Context) []string {
	st, _ := ctx.Value(stateKey{}).(*state)
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []string
	for _, m := range st.console {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			out = append(out, m.String())
		}
	}
	return out
}

// ColorScheme makes the tab report prefers-color-scheme "light" or "dark"
// (it stays for later navigations). Use it to check both themes.
func ColorScheme(t testing.TB, ctx context.Context, scheme string) {
	t.Helper()
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
	if err != nil {
		t.Fatalf("browsertest: emulate prefers-color-scheme %s: %v", scheme, err)
	}
}

// Screenshot writes a PNG of the whole page (beyond the viewport) to path,
// creating its directory.
func Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("browsertest: screenshot: %v", err)
		}
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
}

// ModuleRoot returns the directory of the go.mod that holds the working
// directory (a test's working directory is its package directory).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	return root
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// axeSource is axe-core's axe.min.js, shipped with this package as htmx is
// shipped with the assets, so browser tests need no npm ci.
//
//go:embed axe.min.js
var axeSource string

// AxeViolation is one failed axe-core rule.
type AxeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// Target returns the selector of the first failing element.
func (v AxeViolation) Target() string {
	if len(v.Nodes) == 0 {
		return ""
	}
	parts := make([]string, 0, len(v.Nodes[0].Target))
	for _, p := range v.Nodes[0].Target {
		parts = append(parts, fmt.Sprint(p))
	}
	return strings.Join(parts, " >>> ")
}

// AxeRun injects axe-core into the current page (unless it is there
// already), runs it on the whole document and returns every violation.
// Evaluation goes through the DevTools protocol, which the page's CSP does
// not restrict, so it works under script-src 'self'.
func AxeRun(t testing.TB, ctx context.Context) []AxeViolation {
	t.Helper()
	src := axeSource
	present, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object" && typeof window.axe.run === "function"`))
	if err != nil {
		t.Fatalf("browsertest: axe: %v", err)
	}
	if !present {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src+"\n;void 0")); err != nil {
			t.Fatalf("browsertest: inject axe-core: %v", err)
		}
	}
	const run = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary || ''})),
	})))`
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]AxeViolation](run, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("browsertest: axe.run: %v", err)
	}
	return violations
}

// Axe runs axe-core on the current page and reports each violation of
// impact "serious" or "critical" with t.Errorf (others are logged).
func Axe(t testing.TB, ctx context.Context) {
	t.Helper()
	url, _ := chromedp.Run(ctx, chromedp.Location())
	for _, v := range AxeRun(t, ctx) {
		switch v.Impact {
		case "serious", "critical":
			t.Errorf("axe %s (%s) on %s: %s; first at %s", v.ID, v.Impact, url, v.Help, v.Target())
		default:
			t.Logf("axe %s (%s) on %s: %s; first at %s", v.ID, v.Impact, url, v.Help, v.Target())
		}
	}
}

// quiet drops the browser's routine noise (no D-Bus in a container).
func quiet(s string) string {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" || strings.Contains(line, "dbus") || strings.Contains(line, "unexpected operator") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "\n")
}

// lockedBuffer collects the browser's output from its process goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Keep the last 64 KiB: enough to see why a browser failed.
	if b.buf.Len() > 64<<10 {
		rest := b.buf.Bytes()[b.buf.Len()-32<<10:]
		b.buf = *bytes.NewBuffer(append([]byte(nil), rest...))
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
