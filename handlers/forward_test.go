package handlers_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// forwardRules covers every level of CONTRACT §9, specific to general.
const forwardRules = `rules:
  - host: app.example.com
    path: /static/*
    methods: [GET, HEAD]
    require: public
  - host: app.example.com
    path: /admin/*
    require: perm:app.admin
  - host: app.example.com
    path: /staff/*
    require: staff
  - host: app.example.com
    path: /root/*
    require: superuser
  - host: app.example.com
    path: /team/*
    require: group:editors
  - host: app.example.com
    path: /mfa/*
    require: two_factor
  - host: app.example.com
    path: /closed/*
    require: deny
  - host: app.example.com
    networks: [10.0.0.0/8]
    require: public
  - host: "*.example.com"
    require: login
default: deny
`

// forwardEnv starts a server with the rules above, trusting the test's
// own address as the proxy.
func forwardEnv(t *testing.T) *testenv.Env {
	t.Helper()
	return testenv.New(t, testenv.Options{Env: map[string]string{
		"GATEHOUSE_ACCESS_RULES":    writeRules(t, forwardRules),
		"GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1/32",
	}})
}

func writeRules(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rules.yml")
	testenv.Must(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// ask is a proxy's question about method https://host+uri, Traefik-style.
func ask(c *testenv.Client, route, method, host, uri string, header ...string) *testenv.Response {
	h := append([]string{"X-Forwarded-Method", method, "X-Forwarded-Proto", "https",
		"X-Forwarded-Host", host, "X-Forwarded-Uri", uri}, header...)
	return c.Get(route, h...)
}

var identityHeaders = []string{"Remote-User", "Remote-Email", "Remote-Groups", "Remote-Permissions"}

// identity returns the identity headers of an answer, failing when one is
// missing (present and empty is fine).
func identity(t *testing.T, r *testenv.Response) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, h := range identityHeaders {
		vs, ok := r.Header[h]
		if !ok || len(vs) != 1 {
			t.Fatalf("%s: %v, want exactly one value; headers %v", h, vs, r.Header)
		}
		out[h] = vs[0]
	}
	return out
}

func TestForwardAnonymous(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	c := env.Client(t)
	for _, tc := range []struct {
		method, host, uri string
		header            []string
		forward, request  int
	}{
		{"GET", "app.example.com", "/static/app.css", nil, 200, 200},
		{"HEAD", "app.example.com", "/static", nil, 200, 200},
		{"POST", "app.example.com", "/static/app.css", nil, 302, 401}, // method not in the public rule
		{"GET", "app.example.com", "/notes?q=1", nil, 302, 401},
		{"GET", "other.example.com", "/", nil, 302, 401},
		{"GET", "example.com", "/", nil, 403, 403}, // "*.example.com" is not the apex: default deny
		{"GET", "app.example.org", "/", nil, 403, 403},
		{"GET", "app.example.com", "/closed/x", nil, 403, 403},
		{"GET", "app.example.com", "/closed", nil, 403, 403},
		{"GET", "app.example.com", "/admin/", nil, 302, 401},
		{"GET", "app.example.com", "/mfa/", nil, 302, 401},
		// Paths that would ride the public /static/* rule into /admin.
		{"GET", "app.example.com", "/static/../admin/users", nil, 302, 401},
		{"GET", "app.example.com", "/static/%2e%2e/admin/users", nil, 302, 401},
		{"GET", "app.example.com", "/static/%2E%2E/closed/x", nil, 403, 403},
		{"GET", "app.example.com", "/static/..%2fadmin", nil, 403, 403},
		{"GET", "app.example.com", "/static/..;/admin", nil, 403, 403},
		{"GET", "app.example.com", "/static/%252e%252e/admin", nil, 403, 403},
		{"GET", "app.example.com", "/static/%00/x", nil, 403, 403},
		{"GET", "app.example.com", "/static/%zz", nil, 403, 403},
		// Hosts compare without case, port or trailing dot.
		{"GET", "APP.Example.COM:8443", "/static/x", nil, 200, 200},
		{"GET", "app.example.com.", "/closed/", nil, 403, 403},
		// networks: the client address through the trusted proxy.
		{"GET", "app.example.com", "/notes", []string{"X-Forwarded-For", "10.1.2.3"}, 200, 200},
		{"GET", "app.example.com", "/notes", []string{"X-Forwarded-For", "10.1.2.3, 192.0.2.7"}, 302, 401},
	} {
		name := tc.method + " " + tc.host + tc.uri
		r := ask(c, "/auth/forward", tc.method, tc.host, tc.uri, tc.header...)
		if r.StatusCode != tc.forward {
			t.Errorf("/auth/forward %s: %d, want %d\n%s", name, r.StatusCode, tc.forward, r.Body)
		}
		if tc.forward == 302 {
			want := "http://localhost:8080/login?rd=" + url.QueryEscape("https://"+tc.host+tc.uri)
			if loc := r.Header.Get("Location"); loc != want {
				t.Errorf("/auth/forward %s: Location %q, want %q", name, loc, want)
			}
		}
		if r.StatusCode == 200 {
			for h, v := range identity(t, r) {
				if v != "" {
					t.Errorf("%s: anonymous %s = %q", name, h, v)
				}
			}
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", name, r.Header.Get("Cache-Control"))
		}
		if sc := r.Header.Values("Set-Cookie"); len(sc) > 0 {
			t.Errorf("%s: sets cookies %v", name, sc)
		}
		if r := ask(c, "/auth/request", tc.method, tc.host, tc.uri, tc.header...); r.StatusCode != tc.request {
			t.Errorf("/auth/request %s: %d, want %d\n%s", name, r.StatusCode, tc.request, r.Body)
		}
	}
}

func TestForwardSignedIn(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	const pw = "a long secret phrase"
	env.CreateUser(t, "alice", "alice@example.com", pw)
	admin := env.CreateUser(t, "adele", "adele@example.com", pw)
	env.Grant(t, admin, "app.admin")
	env.CreateUser(t, "sam", "sam@example.com", pw, testenv.Staff)
	env.CreateUser(t, "root", "root@example.com", pw, testenv.Superuser)
	ed := env.CreateUser(t, "eddie", "eddie@example.com", pw)
	addToGroup(t, env, "editors", ed)

	want := map[string]map[string]int{ // user → path → status
		"alice": {"/notes": 200, "/static/x": 200, "/admin/x": 403, "/staff/": 403, "/root/": 403, "/team/": 403, "/mfa/": 403, "/closed/": 403},
		"adele": {"/admin/x": 200, "/admin": 200, "/staff/": 403},
		"sam":   {"/staff/": 200, "/admin/x": 403, "/root/": 403},
		"root":  {"/root/": 200, "/admin/x": 200, "/staff/": 200, "/team/": 403, "/closed/": 403},
		"eddie": {"/team/x": 200, "/admin/x": 403},
	}
	for user, paths := range want {
		c := env.Client(t)
		c.Login(user, pw)
		for p, status := range paths {
			for _, route := range []string{"/auth/forward", "/auth/request"} {
				// A forged identity from the client never passes: the
				// answer sets every header itself.
				r := ask(c, route, "GET", "app.example.com", p, "Remote-User", "mallory", "Remote-Groups", "admins")
				if r.StatusCode != status {
					t.Errorf("%s %s %s: %d, want %d", user, route, p, r.StatusCode, status)
					continue
				}
				if status != 200 {
					continue
				}
				id := identity(t, r)
				if id["Remote-User"] != user || id["Remote-Email"] != user+"@example.com" {
					t.Errorf("%s %s: identity %v", user, p, id)
				}
				// Nothing about the session changes on a question.
				if sc := r.Header.Values("Set-Cookie"); len(sc) > 0 {
					t.Errorf("%s %s: sets cookies %v", user, p, sc)
				}
			}
		}
		id := identity(t, ask(c, "/auth/request", "GET", "app.example.com", "/notes"))
		switch user {
		case "adele":
			if id["Remote-Permissions"] != "app.admin" {
				t.Errorf("adele permissions %q", id["Remote-Permissions"])
			}
		case "eddie":
			if id["Remote-Groups"] != "editors" || id["Remote-Permissions"] != "" {
				t.Errorf("eddie identity %v", id)
			}
		case "root":
			perms := strings.Split(id["Remote-Permissions"], ",")
			for _, code := range []string{"app.admin", "audit.view", "users.change", "users.view"} {
				if !contains(perms, code) {
					t.Errorf("superuser permissions %q lack %s", id["Remote-Permissions"], code)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// nginx's auth_request names the original request in X-Original-URL and
// X-Original-Method.
func TestForwardNginxHeaders(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	env.CreateUser(t, "alice", "alice@example.com", "a long secret phrase")
	c := env.Client(t)
	orig := func(u, m string) *testenv.Response {
		return c.Get("/auth/request", "X-Original-URL", u, "X-Original-Method", m)
	}
	if r := orig("https://app.example.com/static/x.js", "GET"); r.StatusCode != 200 {
		t.Fatalf("public: %d", r.StatusCode)
	}
	if r := orig("https://app.example.com/notes?x=1", "GET"); r.StatusCode != 401 {
		t.Fatalf("anonymous: %d", r.StatusCode)
	}
	if r := orig("https://app.example.com/static/../closed/", "GET"); r.StatusCode != 403 {
		t.Fatalf("closed through static: %d", r.StatusCode)
	}
	if r := orig("https://app.example.com", "GET"); r.StatusCode != 401 {
		t.Fatalf("no path: %d", r.StatusCode)
	}
	c.Login("alice", "a long secret phrase")
	if r := orig("https://app.example.com/notes", "GET"); r.StatusCode != 200 || r.Header.Get("Remote-User") != "alice" {
		t.Fatalf("signed in: %d %q", r.StatusCode, r.Header.Get("Remote-User"))
	}
}

func TestForwardBadRequests(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	c := env.Client(t)
	for name, h := range map[string][]string{
		"nothing":        nil,
		"no uri":         {"X-Forwarded-Method", "GET", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "app.example.com"},
		"no host":        {"X-Forwarded-Method", "GET", "X-Forwarded-Proto", "https", "X-Forwarded-Uri", "/static/x"},
		"bad proto":      {"X-Forwarded-Method", "GET", "X-Forwarded-Proto", "ftp", "X-Forwarded-Host", "app.example.com", "X-Forwarded-Uri", "/static/x"},
		"bad host":       {"X-Forwarded-Method", "GET", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.com/app.example.com", "X-Forwarded-Uri", "/static/x"},
		"userinfo host":  {"X-Forwarded-Method", "GET", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "app.example.com@evil.com", "X-Forwarded-Uri", "/static/x"},
		"relative uri":   {"X-Forwarded-Method", "GET", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "app.example.com", "X-Forwarded-Uri", "static/x"},
		"lower method":   {"X-Forwarded-Method", "get", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "app.example.com", "X-Forwarded-Uri", "/static/x"},
		"nginx, no url":  {"X-Original-Method", "GET"},
		"nginx relative": {"X-Original-URL", "/static/x", "X-Original-Method", "GET"},
		// Each proxy passes the client's other headers on: both sets
		// means one was forged.
		"both sets": {"X-Forwarded-Method", "GET", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "app.example.com",
			"X-Forwarded-Uri", "/notes", "X-Original-URL", "https://app.example.com/static/x", "X-Original-Method", "GET"},
	} {
		if r := c.Get("/auth/forward", h...); r.StatusCode != 400 {
			t.Errorf("%s: /auth/forward %d, want 400", name, r.StatusCode)
		}
		if r := c.Get("/auth/request", h...); r.StatusCode != 400 {
			t.Errorf("%s: /auth/request %d, want 400", name, r.StatusCode)
		}
	}
	// Only the host and URI (or the URL) are required: the method is then
	// GET, the scheme the base URL's.
	if r := c.Get("/auth/forward", "X-Forwarded-Host", "app.example.com", "X-Forwarded-Uri", "/notes"); r.StatusCode != http.StatusFound ||
		r.Header.Get("Location") != "http://localhost:8080/login?rd="+url.QueryEscape("http://app.example.com/notes") {
		t.Errorf("host and uri only: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := c.Get("/auth/request", "X-Forwarded-Host", "app.example.com", "X-Forwarded-Uri", "/static/x"); r.StatusCode != http.StatusOK {
		t.Errorf("host and uri only, public GET: %d", r.StatusCode)
	}
	if r := c.Get("/auth/request", "X-Original-URL", "https://app.example.com/static/x"); r.StatusCode != http.StatusOK {
		t.Errorf("X-Original-URL only: %d", r.StatusCode)
	}
	// A header sent twice is not believed.
	req, _ := http.NewRequest("GET", env.URL+"/auth/request", nil)
	req.Header.Set("X-Forwarded-Method", "GET")
	req.Header.Set("X-Forwarded-Proto", "https")
	req.Header.Add("X-Forwarded-Host", "app.example.com")
	req.Header.Add("X-Forwarded-Host", "evil.com")
	req.Header.Set("X-Forwarded-Uri", "/static/x")
	if r := c.Do(req); r.StatusCode != 400 {
		t.Errorf("two hosts: %d, want 400", r.StatusCode)
	}
	req.Header.Set("X-Forwarded-Host", "app.example.com")
	req.Header.Add("X-Forwarded-Method", "POST")
	if r := c.Do(req); r.StatusCode != 400 {
		t.Errorf("two methods: %d, want 400", r.StatusCode)
	}
}

// Forwarded headers are believed only from GATEHOUSE_TRUSTED_PROXIES.
func TestForwardUntrustedProxy(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{Env: map[string]string{
		"GATEHOUSE_ACCESS_RULES":    writeRules(t, forwardRules),
		"GATEHOUSE_TRUSTED_PROXIES": "10.0.0.0/8",
	}})
	c := env.Client(t)
	for _, route := range []string{"/auth/forward", "/auth/request"} {
		if r := ask(c, route, "GET", "app.example.com", "/static/x"); r.StatusCode != 400 {
			t.Errorf("%s from an untrusted address: %d, want 400", route, r.StatusCode)
		}
	}
}

func TestForwardWithoutRulesIsNotFound(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{Env: map[string]string{"GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1/32"}})
	c := env.Client(t)
	for _, route := range []string{"/auth/forward", "/auth/request"} {
		if r := ask(c, route, "GET", "app.example.com", "/static/x"); r.StatusCode != 404 {
			t.Errorf("%s without rules: %d, want 404", route, r.StatusCode)
		}
	}
}

// A perm: rule's code can be granted in the admin like any other, and the
// grant applies from the next proxied request; so does a deactivation.
func TestForwardPermissionGrantedInAdmin(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	root, _ := adminClient(t, env, "root", testenv.Superuser)
	alice := env.Client(t)
	au := env.CreateUser(t, "alice", "alice@example.com", rdPassword)
	alice.Login("alice", rdPassword)
	if r := ask(alice, "/auth/request", "GET", "app.example.com", "/admin/x"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("before the grant: %d", r.StatusCode)
	}
	id := itoa(au.ID)
	page := root.Get("/admin/users/" + id)
	if !strings.Contains(page.Body, `name="perms" value="app.admin"`) {
		t.Fatalf("the rule's permission is not offered:\n%s", page.Body)
	}
	r := root.Post("/admin/users/"+id, url.Values{"is_active": {"on"}, "perms": {"app.admin"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("grant: %d\n%s", r.StatusCode, r.Body)
	}
	r = ask(alice, "/auth/request", "GET", "app.example.com", "/admin/x")
	if r.StatusCode != http.StatusOK || r.Header.Get("Remote-Permissions") != "app.admin" {
		t.Fatalf("after the grant: %d %q", r.StatusCode, r.Header.Get("Remote-Permissions"))
	}
	root.Post("/admin/users/"+id, url.Values{"perms": {"app.admin"}}) // is_active off
	if r := ask(alice, "/auth/forward", "GET", "app.example.com", "/notes"); r.StatusCode != http.StatusFound {
		t.Fatalf("after deactivation: %d, want the 302 to sign in", r.StatusCode)
	}
}

// HEAD is answered like GET (Fiber routes both), with no body.
func TestForwardHead(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	req, _ := http.NewRequest(http.MethodHead, env.URL+"/auth/request", nil)
	req.Header.Set("X-Original-URL", "https://app.example.com/static/x")
	req.Header.Set("X-Original-Method", "GET")
	r := env.Client(t).Do(req)
	if r.StatusCode != http.StatusOK || r.Body != "" {
		t.Fatalf("HEAD: %d %q", r.StatusCode, r.Body)
	}
	if _, ok := r.Header["Remote-User"]; !ok {
		t.Fatalf("HEAD without identity headers: %v", r.Header)
	}
}

// nginx's auth subrequest comes with the original request's method (a
// POST to the app asks with POST): the answer is the same, from the
// rules, without a CSRF token.
func TestForwardAnyMethod(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	env.CreateUser(t, "alice", "alice@example.com", rdPassword)
	c := env.Client(t)
	c.Login("alice", rdPassword)
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		req, _ := http.NewRequest(m, env.URL+"/auth/request", strings.NewReader("a=b"))
		req.Header.Set("X-Original-URL", "https://app.example.com/notes")
		req.Header.Set("X-Original-Method", m)
		if r := c.Do(req); r.StatusCode != http.StatusOK || r.Header.Get("Remote-User") != "alice" {
			t.Errorf("%s /auth/request: %d %q", m, r.StatusCode, r.Header.Get("Remote-User"))
		}
		req, _ = http.NewRequest(m, env.URL+"/auth/forward", nil)
		req.Header.Set("X-Original-URL", "https://app.example.com/closed/")
		req.Header.Set("X-Original-Method", m)
		if r := c.Do(req); r.StatusCode != http.StatusForbidden || strings.Contains(r.Body, "CSRF") {
			t.Errorf("%s /auth/forward: %d\n%s", m, r.StatusCode, r.Body)
		}
	}
}

// A raw non-ASCII byte in the URI (nginx passes what the client sent) is
// matched, and percent-encoded in rd so that sign-in can send it back.
func TestForwardNonASCIIURI(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	env.CreateUser(t, "alice", "alice@example.com", rdPassword)
	c := env.Client(t)
	r := ask(c, "/auth/forward", "GET", "app.example.com", "/caf\xc3\xa9?q=\xc3\xa9")
	rd := "https://app.example.com/caf%C3%A9?q=%C3%A9"
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "http://localhost:8080/login?rd="+url.QueryEscape(rd) {
		t.Fatalf("%d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := ask(c, "/auth/request", "GET", "app.example.com", "/static/caf\xc3\xa9"); r.StatusCode != http.StatusOK {
		t.Fatalf("public non-ASCII path: %d", r.StatusCode)
	}
	c.Get("/login?rd=" + url.QueryEscape(rd))
	if r := c.Post("/login", url.Values{"login": {"alice"}, "password": {rdPassword}, "rd": {rd}}); r.Header.Get("Location") != rd {
		t.Fatalf("back to %q", r.Header.Get("Location"))
	}
}

// BenchmarkForwardAuth is one proxied question over HTTP: signed in and
// allowed by a perm: rule, and anonymous on a public one.
func BenchmarkForwardAuth(b *testing.B) {
	dir := b.TempDir()
	rules := dir + "/rules.yml"
	testenv.Must(b, os.WriteFile(rules, []byte(forwardRules), 0o600))
	env := testenv.New(b, testenv.Options{Env: map[string]string{
		"GATEHOUSE_ACCESS_RULES": rules, "GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1/32",
	}})
	u := env.CreateUser(b, "alice", "alice@example.com", rdPassword)
	env.Grant(b, u, "app.admin")
	c := env.Client(b)
	c.Login("alice", rdPassword)
	b.Run("signed-in-perm", func(b *testing.B) {
		for b.Loop() {
			if r := ask(c, "/auth/request", "GET", "app.example.com", "/admin/x"); r.StatusCode != 200 {
				b.Fatal(r.StatusCode)
			}
		}
	})
	anon := env.Client(b)
	b.Run("anonymous-public", func(b *testing.B) {
		for b.Loop() {
			if r := ask(anon, "/auth/forward", "GET", "app.example.com", "/static/app.css"); r.StatusCode != 200 {
				b.Fatal(r.StatusCode)
			}
		}
	})
	b.Run("healthz", func(b *testing.B) {
		for b.Loop() {
			if r := anon.Get("/healthz"); r.StatusCode != 200 {
				b.Fatal(r.StatusCode)
			}
		}
	})
}

// A refusal is logged with the client address, the user and the rule
// that decided; a signed-in user's at info, an anonymous visitor's at
// debug (every first visit is one).
func TestForwardRefusalsAreLogged(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	env.CreateUser(t, "alice", "alice@example.com", rdPassword)
	c := env.Client(t)
	ask(c, "/auth/request", "GET", "app.example.com", "/notes", "X-Forwarded-For", "192.0.2.9")
	c.Login("alice", rdPassword)
	ask(c, "/auth/request", "GET", "app.example.com", "/admin/x", "X-Forwarded-For", "192.0.2.10")
	logs := env.Logs()
	for _, want := range []string{
		`level=DEBUG msg="forward-auth: sign-in needed" ip=192.0.2.9 user="" method=GET host=app.example.com path=/notes path_ok=true rule_line=27 require=login`,
		`level=INFO msg="forward-auth: refused" ip=192.0.2.10 user=alice method=GET host=app.example.com path=/admin/x path_ok=true rule_line=6 require=perm:app.admin`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("no log line %s", want)
		}
	}
}
