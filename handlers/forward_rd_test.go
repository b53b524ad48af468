package handlers_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const rdPassword = "a long secret phrase"

// After sign-in, rd is followed only to http(s) URLs on the base URL's
// host or a rule's host (CONTRACT §9); anything else goes to /account.
func TestSignInFollowsOnlyAllowedRD(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	env.CreateUser(t, "alice", "alice@example.com", rdPassword)
	for _, tc := range []struct {
		rd, want string
	}{
		{"https://app.example.com/notes?x=1", "https://app.example.com/notes?x=1"},
		{"https://wiki.example.com/", "https://wiki.example.com/"},                           // *.example.com
		{"HTTPS://APP.EXAMPLE.COM/x", "HTTPS://APP.EXAMPLE.COM/x"},                           // case
		{"https://app.example.com:8443/x", "https://app.example.com:8443/x"},                 // a port on an allowed host
		{"http://localhost:8080/account/sessions", "http://localhost:8080/account/sessions"}, // the base URL's host
		{"https://example.com/", "/account"},                                                 // the apex is no rule's host
		{"https://evil.example.com.attacker/", "/account"},
		{"https://app.example.com@evil.com/", "/account"},
		{"https://app.example.com:443@evil.com/", "/account"},
		{"https://evil.com\\@app.example.com/", "/account"},
		{"https:\\\\evil.com", "/account"},
		{"https:/\\evil.com", "/account"},
		{"//evil.com", "/account"},
		{"//app.example.com/x", "/account"},
		{"javascript:alert(1)//app.example.com", "/account"},
		{"JavaScript://app.example.com/%0aalert(1)", "/account"},
		{"ftp://app.example.com/", "/account"},
		{"https://app.example.com:evil/", "/account"},
		{"https://app.example.com\t.evil.com/", "/account"},
		{"https://evil.com/https://app.example.com/", "/account"},
		{"https://evil.com?https://app.example.com/", "/account"},
		{"https://evil.com#@app.example.com", "/account"},
		{"https://%61pp.example.com/", "/account"},
		{"", "/account"},
	} {
		c := env.Client(t)
		c.Get("/login?rd=" + url.QueryEscape(tc.rd))
		r := c.Post("/login", url.Values{"login": {"alice"}, "password": {rdPassword}, "rd": {tc.rd}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != tc.want {
			t.Errorf("rd %q: %d to %q, want 303 to %q", tc.rd, r.StatusCode, r.Header.Get("Location"), tc.want)
		}
	}
}

func TestLoginPageCarriesRD(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	env.CreateUser(t, "alice", "alice@example.com", rdPassword)
	c := env.Client(t)
	const rd = "https://app.example.com/notes?a=1&b=2"
	page := c.Get("/login?rd=" + url.QueryEscape(rd))
	if !strings.Contains(page.Body, `name="rd" value="`+html.EscapeString(rd)+`"`) {
		t.Fatalf("no rd field:\n%s", page.Body)
	}
	if page := c.Get("/login?rd=" + url.QueryEscape("https://evil.com/")); strings.Contains(page.Body, `name="rd"`) {
		t.Fatalf("a refused rd is carried:\n%s", page.Body)
	}
	// A failed attempt keeps it.
	r := c.Post("/login", url.Values{"login": {"alice"}, "password": {"wrong password!"}, "rd": {rd}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `name="rd" value="`+html.EscapeString(rd)+`"`) {
		t.Fatalf("failed sign-in lost rd: %d\n%s", r.StatusCode, r.Body)
	}
	c.Login("alice", rdPassword)
	// Signed in already: /login?rd= sends straight back.
	if r := c.Get("/login?rd=" + url.QueryEscape(rd)); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != rd {
		t.Fatalf("signed-in /login?rd: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := c.Get("/login?rd=" + url.QueryEscape("https://evil.com/")); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
		t.Fatalf("signed-in /login?rd=evil: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	// The form of another tab, posted once signed in, goes back too.
	if r := c.Post("/login", url.Values{"login": {"alice"}, "password": {rdPassword}, "rd": {rd}}); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != rd {
		t.Fatalf("signed-in POST /login with rd: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
}

// With htmx, an rd on another host is an HX-Redirect (a full load there);
// one on this site is the usual in-place navigation, never HX-Redirect.
func TestSignInRDWithHTMX(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	env.CreateUser(t, "alice", "alice@example.com", rdPassword)
	c := env.Client(t)
	c.Get("/login")
	const rd = "https://app.example.com/notes"
	r := c.Post("/login", url.Values{"login": {"alice"}, "password": {rdPassword}, "rd": {rd}}, "HX-Request", "true")
	if r.StatusCode != http.StatusOK || r.Header.Get("HX-Redirect") != rd {
		t.Fatalf("htmx rd: %d HX-Redirect %q", r.StatusCode, r.Header.Get("HX-Redirect"))
	}

	c2 := env.Client(t)
	c2.Get("/login")
	r = c2.Post("/login", url.Values{"login": {"alice"}, "password": {rdPassword}, "rd": {"http://localhost:8080/account"}}, "HX-Request", "true")
	if r.StatusCode != http.StatusOK || r.Header.Get("HX-Redirect") != "" || r.Header.Get("HX-Push-Url") != "/account" ||
		strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, "alice") {
		t.Fatalf("htmx rd on this site: %d HX-Redirect %q HX-Push-Url %q\n%s", r.StatusCode,
			r.Header.Get("HX-Redirect"), r.Header.Get("HX-Push-Url"), r.Body)
	}
}

func TestLogoutRD(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	env.CreateUser(t, "alice", "alice@example.com", rdPassword)
	for _, tc := range []struct{ rd, want string }{
		{"https://app.example.com/bye", "https://app.example.com/bye"},
		{"https://evil.com/", "/"},
		{"//evil.com/", "/"},
	} {
		c := env.Client(t)
		c.Login("alice", rdPassword)
		sid := c.Cookie("gatehouse_session")
		r := c.Post("/logout", url.Values{"rd": {tc.rd}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != tc.want {
			t.Errorf("logout rd %q: %d %q, want 303 to %q", tc.rd, r.StatusCode, r.Header.Get("Location"), tc.want)
		}
		// Signed out either way: the old session reaches nothing.
		old := env.Client(t)
		old.SetCookie("gatehouse_session", sid)
		if r := ask(old, "/auth/request", "GET", "app.example.com", "/notes"); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("after logout: %d, want 401", r.StatusCode)
		}
	}
}

// A sign-up that carries rd ends there too, under the same check.
func TestRegisterFollowsAllowedRD(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	for i, tc := range []struct{ rd, want string }{
		{"https://app.example.com/welcome", "https://app.example.com/welcome"},
		{"https://evil.com/", "/account"},
	} {
		c := env.Client(t)
		c.Get("/register")
		name := "newbie" + string(rune('a'+i))
		r := c.Post("/register", url.Values{"username": {name}, "email": {name + "@example.com"},
			"password": {"correct horse battery"}, "password_confirm": {"correct horse battery"}, "rd": {tc.rd}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != tc.want {
			t.Errorf("rd %q: %d %q, want 303 to %q", tc.rd, r.StatusCode, r.Header.Get("Location"), tc.want)
		}
	}
}

// A protected app may link to /register?rd=…: the form carries an allowed
// rd, also through a failed attempt, and drops any other.
func TestRegisterPageCarriesRD(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	c := env.Client(t)
	const rd = "https://app.example.com/welcome?x=1&y=2"
	field := `name="rd" value="` + html.EscapeString(rd) + `"`
	// The sign-in page a protected app sends to links to sign-up with the
	// same rd, also after a failed sign-in.
	link := `href="/register?rd=` + html.EscapeString(url.QueryEscape(rd)) + `"`
	if page := c.Get("/login?rd=" + url.QueryEscape(rd)); !strings.Contains(page.Body, link) {
		t.Fatalf("sign-in page: no Register link with rd:\n%s", page.Body)
	}
	if r := c.Post("/login", url.Values{"login": {"nobody"}, "password": {"wrong password"}, "rd": {rd}}); !strings.Contains(r.Body, link) {
		t.Fatalf("failed sign-in: no Register link with rd: %d\n%s", r.StatusCode, r.Body)
	}
	if page := c.Get("/login?rd=" + url.QueryEscape("https://evil.com/")); !strings.Contains(page.Body, `href="/register"`) {
		t.Fatalf("a refused rd: want the plain Register link:\n%s", page.Body)
	}
	page := c.Get("/register?rd=" + url.QueryEscape(rd))
	if !strings.Contains(page.Body, field) {
		t.Fatalf("no rd field:\n%s", page.Body)
	}
	if back := `href="/login?rd=` + html.EscapeString(url.QueryEscape(rd)) + `"`; !strings.Contains(page.Body, back) {
		t.Fatalf("sign-up page: no Sign in link with rd:\n%s", page.Body)
	}
	if page := c.Get("/register?rd=" + url.QueryEscape("https://evil.com/")); strings.Contains(page.Body, `name="rd"`) {
		t.Fatalf("a refused rd is carried:\n%s", page.Body)
	}
	r := c.Post("/register", url.Values{"username": {"newbie"}, "email": {"not an email"}, "password": {"x"}, "rd": {rd}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, field) {
		t.Fatalf("failed sign-up lost rd: %d\n%s", r.StatusCode, r.Body)
	}
	r = c.Post("/register", url.Values{"username": {"newbie"}, "email": {"newbie@example.com"},
		"password": {"correct horse battery"}, "password_confirm": {"correct horse battery"}, "rd": {rd}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != rd {
		t.Fatalf("sign-up: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
}
