package deploy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The hosts of the deploy/ files, as the tests rename them: *.example.test
// is reserved for tests and never resolves, so the clients dial 127.0.0.1.
const (
	docDomain  = "example.com"
	testDomain = "example.test"
	// forged marks identity headers a client invents; the echo app fails
	// the test if one reaches it.
	forged = "forged-by-client"
)

// stack is Gatehouse and the echo app behind one running reverse proxy.
type stack struct {
	t       *testing.T
	env     *testenv.Env
	app     *echoApp
	authURL string // Gatehouse through the proxy, as in GATEHOUSE_BASE_URL
	appURL  string // the protected app through the proxy
	port    string // the proxy's port
}

// proxy starts one kind of reverse proxy with a deploy/ file.
type proxy struct {
	name  string
	bin   string
	start func(s *stack, bin string) *exec.Cmd
}

// newStack starts Gatehouse (rules from deploy/rules.yml), the echo app
// and the proxy, and waits until Gatehouse answers through the proxy.
func newStack(t *testing.T, p proxy) *stack {
	t.Helper()
	bin := findBinary(t, p.bin)
	s := &stack{t: t, app: newEchoApp(t), port: freePort(t)}
	s.authURL = "http://auth." + testDomain + ":" + s.port
	s.appURL = "http://app." + testDomain + ":" + s.port

	rules := filepath.Join(t.TempDir(), "rules.yml")
	writeFile(t, rules, substitute(t, readDeploy(t, "rules.yml"), docDomain, testDomain))
	s.env = testenv.New(t, testenv.Options{Env: map[string]string{
		"GATEHOUSE_BASE_URL":        s.authURL,
		"GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1/32",
		"GATEHOUSE_COOKIE_DOMAIN":   testDomain,
		"GATEHOUSE_ACCESS_RULES":    rules,
	}})
	s.startProxy(p, bin)
	return s
}

// startProxy runs the proxy in front of s.env and s.app until the test
// ends.
func (s *stack) startProxy(p proxy, bin string) {
	t := s.t
	t.Helper()
	var out testenv.SyncBuffer
	cmd := p.start(s, bin)
	cmd.Stdout, cmd.Stderr = &out, &out
	dieWithTest(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", p.name, out.String())
		}
	})
	s.waitReady(exited, p.name, &out)
}

// waitReady polls Gatehouse's /healthz through the proxy.
func (s *stack) waitReady(exited <-chan struct{}, name string, out *testenv.SyncBuffer) {
	t := s.t
	t.Helper()
	c := s.client()
	for start := time.Now(); ; {
		select {
		case <-exited:
			t.Fatalf("%s exited at start:\n%s", name, out.String())
		default:
		}
		resp, err := c.http.Get(s.authURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("%s did not pass requests to Gatehouse within 20 s (last: %v)\n%s", name, err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// localize turns a deploy/ file into one for this stack: the test hosts,
// the test's ports for Gatehouse and the app, and extra pairs (the
// listening address). Each replaced string must be in the file, so a file
// that drifts from what the tests know fails here instead of passing
// untested.
func (s *stack) localize(text string, extra ...string) string {
	s.t.Helper()
	gatehouseAddr := strings.TrimPrefix(s.env.URL, "http://")
	pairs := append(extra,
		"127.0.0.1:8080", gatehouseAddr,
		"127.0.0.1:3000", strings.TrimPrefix(s.app.srv.URL, "http://"),
		docDomain, testDomain,
	)
	return substitute(s.t, text, pairs...)
}

func substitute(t *testing.T, text string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(text, pairs[i]) {
			t.Fatalf("the deploy file no longer contains %q:\n%s", pairs[i], text)
		}
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// findBinary finds a proxy's binary (Debian puts nginx in /usr/sbin, not
// always on PATH). Missing, it skips the test locally and fails it in CI.
func findBinary(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed, and CI is set: `apt-get install nginx caddy` (.ci/run does)", name)
	}
	t.Skipf("%s is not installed (apt-get install nginx caddy); the walk behind it is skipped", name)
	return ""
}

// freePort is a port no one listens on now; the proxy takes it moments
// later.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// echoApp is the protected app: it answers with what it was given and
// fails the test when a Gatehouse cookie or a client's forged identity
// header reaches it.
type echoApp struct {
	srv  *httptest.Server
	seen sync.Map // request URIs it answered
}

// echo is the echo app's answer.
type echo struct {
	URI         string `json:"uri"`
	User        string `json:"user"`
	Email       string `json:"email"`
	Groups      string `json:"groups"`
	Permissions string `json:"permissions"`
	Cookie      string `json:"cookie"`
	Body        int64  `json:"body"` // bytes of the request body
}

func newEchoApp(t *testing.T) *echoApp {
	a := &echoApp{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.seen.Store(r.RequestURI, true)
		cookie := strings.Join(r.Header.Values("Cookie"), "; ")
		for _, pair := range strings.Split(cookie, ";") {
			if strings.HasPrefix(strings.TrimSpace(pair), "gatehouse_") {
				t.Errorf("the app got a Gatehouse cookie on %s: %q", r.RequestURI, cookie)
			}
		}
		for _, h := range identityHeaders {
			vs := r.Header.Values(h)
			if len(vs) > 1 {
				t.Errorf("the app got %s %d times on %s: %q", h, len(vs), r.RequestURI, vs)
			}
			for _, v := range vs {
				if strings.Contains(v, forged) {
					t.Errorf("a client's %s reached the app on %s: %q", h, r.RequestURI, v)
				}
				// Caddy 2.6 sends a placeholder's text when the auth
				// answer lacks the header.
				if strings.Contains(v, "{http.") {
					t.Errorf("Gatehouse's answer lacked %s on %s: the app got %q", h, r.RequestURI, v)
				}
			}
		}
		n, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(echo{
			URI: r.RequestURI, User: r.Header.Get("Remote-User"), Email: r.Header.Get("Remote-Email"),
			Groups: r.Header.Get("Remote-Groups"), Permissions: r.Header.Get("Remote-Permissions"), Cookie: cookie, Body: n,
		})
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// dialTestHosts sends every *.example.test address to 127.0.0.1 (the
// same port), so cookies and Host headers carry the real names.
func dialTestHosts(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host != testDomain && !strings.HasSuffix(host, "."+testDomain) {
		return nil, fmt.Errorf("test client: refusing to dial %s", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
}
