package handlers_test

import (
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

var tokenInPage = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

// Finding 2: the production setup behind a TLS-terminating proxy. The
// base URL is https, the proxy (a trusted address) speaks plain HTTP to
// Gatehouse and says so in X-Forwarded-Proto/Host; a browser sends its
// https Origin with every form, and signing in and posting a form work.
// The same forwarded headers from an untrusted connection count for
// nothing.
func TestFormsWorkBehindATLSProxy(t *testing.T) {
	t.Parallel()
	proxy, env := tlsProxyEnv(t, "")
	env.CreateUser(t, "tess", "tess@example.com", pw)

	browser := newBrowser(t, proxy.Client(), proxy.URL)
	if r := browser.get("/login"); r.StatusCode != http.StatusOK {
		t.Fatalf("login page through the proxy: %d", r.StatusCode)
	}
	if r := browser.post("/login", url.Values{"login": {"tess"}, "password": {pw}}); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
		t.Fatalf("sign-in through the TLS proxy: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if ck := setCookie(t, browser.lastResp, "gatehouse_session"); !ck.Secure {
		t.Fatalf("session cookie without Secure behind https: %+v", ck)
	}
	if r := browser.get("/account"); r.StatusCode != http.StatusOK || !strings.Contains(r.body, "tess") {
		t.Fatalf("account page: %d", r.StatusCode)
	}
	if r := browser.post("/account/password", url.Values{"current_password": {pw}, "password": {"a changed passphrase"},
		"password_confirm": {"a changed passphrase"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("password change through the TLS proxy: %d\n%s", r.StatusCode, r.body)
	}
	// Through the proxy, another site's Origin is refused.
	browser.get("/account")
	if r := browser.post("/logout", nil, "Origin", "https://evil.example"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("another origin through the proxy: %d", r.StatusCode)
	}
	if r := browser.post("/logout", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out through the proxy: %d", r.StatusCode)
	}

	// Directly, from an untrusted address, forwarded headers naming
	// another host do not make its Origin this site's.
	direct := newBrowser(t, &http.Client{}, env.URL)
	direct.get("/login")
	forged := []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example", "Origin", "https://evil.example"}
	if r := direct.post("/login", url.Values{"login": {"tess"}, "password": {"a changed passphrase"}}, forged...); r.StatusCode != http.StatusForbidden {
		t.Fatalf("forged forwarded headers from an untrusted address: %d", r.StatusCode)
	}
	// Its own origin is fine.
	if r := direct.post("/login", url.Values{"login": {"tess"}, "password": {"a changed passphrase"}}, "Origin", env.URL); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("direct sign-in with its own origin: %d\n%s", r.StatusCode, r.body)
	}
}

// A proxy whose public name is not the base URL's (a second name, an
// address): its forwarded scheme and host make the browser's Origin this
// site's, as they do only from a trusted proxy.
func TestForwardedOriginCountsOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	proxy, env := tlsProxyEnv(t, "https://gate.example")
	env.CreateUser(t, "tom", "tom@example.com", pw)
	browser := newBrowser(t, proxy.Client(), proxy.URL)
	browser.get("/login")
	if r := browser.post("/login", url.Values{"login": {"tom"}, "password": {pw}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in through a trusted proxy under another name: %d\n%s", r.StatusCode, r.body)
	}
	pu, _ := url.Parse(proxy.URL)
	direct := newBrowser(t, &http.Client{}, env.URL)
	direct.get("/login")
	forged := []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", pu.Host, "Origin", proxy.URL}
	if r := direct.post("/login", url.Values{"login": {"tom"}, "password": {pw}}, forged...); r.StatusCode != http.StatusForbidden {
		t.Fatalf("the proxy's origin with forwarded headers from an untrusted address: %d", r.StatusCode)
	}
	// The base URL's origin is always this site's.
	if r := direct.post("/login", url.Values{"login": {"tom"}, "password": {pw}}, "Origin", "https://gate.example"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the base URL's origin: %d", r.StatusCode)
	}
}

// tlsProxyEnv starts Gatehouse behind a TLS-terminating reverse proxy
// that sets X-Forwarded-For/Proto/Host. base is GATEHOUSE_BASE_URL ("":
// the proxy's own URL).
func tlsProxyEnv(t *testing.T, base string) (*httptest.Server, *testenv.Env) {
	t.Helper()
	var target atomic.Pointer[url.URL]
	// The proxy connects from 127.0.0.2: the only trusted address, so a
	// direct connection from 127.0.0.1 is an untrusted one.
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	proxy := httptest.NewTLSServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target.Load())
			r.SetXForwarded()
		},
		Transport: &http.Transport{DialContext: dialer.DialContext},
	})
	t.Cleanup(proxy.Close)
	if base == "" {
		base = proxy.URL
	}
	env := testenv.New(t, testenv.Options{Env: map[string]string{
		"GATEHOUSE_BASE_URL":        base,
		"GATEHOUSE_TRUSTED_PROXIES": "127.0.0.2/32",
	}})
	u, err := url.Parse(env.URL)
	testenv.Must(t, err)
	target.Store(u)
	return proxy, env
}

type browserClient struct {
	t        *testing.T
	hc       *http.Client
	base     string
	token    string
	lastResp *http.Response
}

type browserResponse struct {
	*http.Response
	body string
}

// newBrowser is a client that behaves like a browser on base: cookies,
// Origin and Sec-Fetch-Site on every POST, the page's CSRF token.
func newBrowser(t *testing.T, hc *http.Client, base string) *browserClient {
	jar, _ := cookiejar.New(nil)
	c := *hc
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browserClient{t: t, hc: &c, base: base}
}

func (b *browserClient) do(req *http.Request) *browserResponse {
	b.t.Helper()
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.lastResp = resp
	if m := tokenInPage.FindSubmatch(body); m != nil {
		b.token = string(m[1])
	}
	return &browserResponse{Response: resp, body: string(body)}
}

func (b *browserClient) get(path string) *browserResponse {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	req.Header.Set("Sec-Fetch-Site", "none")
	return b.do(req)
}

func (b *browserClient) post(path string, form url.Values, header ...string) *browserResponse {
	b.t.Helper()
	f := url.Values{"csrf_token": {b.token}}
	for k, v := range form {
		f[k] = v
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}
