package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestHTMXSignInSwapsMainAndNav(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "hana", "hana@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Get("/login")
	r := c.Post("/login", url.Values{"login": {"hana"}, "password": {"a long secret phrase"}}, "HX-Request", "true")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", r.StatusCode, r.Body)
	}
	if r.Header.Get("HX-Redirect") != "" || r.Header.Get("HX-Push-Url") != "/account" {
		t.Fatalf("headers: HX-Redirect %q HX-Push-Url %q", r.Header.Get("HX-Redirect"), r.Header.Get("HX-Push-Url"))
	}
	if strings.Contains(r.Body, "<html") {
		t.Fatal("fragment contains <html>")
	}
	if !testenv.Contains(r.Body, `id="nav"`, `hx-swap-oob="true"`, "hana", `id="account-username"`) {
		t.Fatalf("fragment lacks the account main or the oob nav:\n%s", r.Body)
	}
	// next is honoured with htmx too.
	c2 := env.Client(t)
	r = c2.Post("/login", url.Values{"login": {"hana"}, "password": {"a long secret phrase"}, "next": {"/account/password"}}, "HX-Request", "true")
	if r.Header.Get("HX-Push-Url") != "/account/password" || !strings.Contains(r.Body, `name="current_password"`) {
		t.Fatalf("next with htmx: %q\n%s", r.Header.Get("HX-Push-Url"), r.Body)
	}
}

func TestHTMXSignOutSwapsBack(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "ivan", "ivan@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Login("ivan", "a long secret phrase")
	c.Get("/account")
	r := c.Post("/logout", nil, "HX-Request", "true")
	if r.StatusCode != 200 || r.Header.Get("HX-Push-Url") != "/" || strings.Contains(r.Body, "<html") {
		t.Fatalf("htmx logout: %d %q", r.StatusCode, r.Header.Get("HX-Push-Url"))
	}
	if !testenv.Contains(r.Body, `id="nav"`, `href="/login"`, `role="status"`) || strings.Contains(r.Body, "ivan") {
		t.Fatalf("nav not anonymous or no toast:\n%s", r.Body)
	}
	if a := c.Get("/account"); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("still signed in after htmx logout: %d", a.StatusCode)
	}
}

func TestPageOrFragment(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	page := c.Get("/login")
	if !testenv.Contains(page.Body, "<html", `<nav id="nav"`, `<main id="main"`, `<meta name="csrf-token" content="`) {
		t.Fatalf("whole page lacks shell parts:\n%s", page.Body)
	}
	frag := c.Get("/login", "HX-Request", "true")
	if strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `name="login"`) {
		t.Fatalf("fragment:\n%s", frag.Body)
	}
	for _, p := range []string{"/", "/register", "/login", "/nope"} {
		b := c.Get(p).Body
		if strings.Contains(b, "//cdn") || strings.Contains(b, `src="http`) || strings.Contains(b, `href="http`) {
			t.Errorf("%s loads something from another origin", p)
		}
	}
}

func TestGuardsRedirectAnonymousAndSignedIn(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "judy", "judy@example.com", "a long secret phrase")
	anon := env.Client(t)
	r := anon.Get("/account/password?x=1")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Faccount%2Fpassword%3Fx%3D1" {
		t.Fatalf("anonymous: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	r = anon.Get("/account", "HX-Request", "true")
	if r.StatusCode != 200 || r.Header.Get("HX-Redirect") != "/login?next=%2Faccount" {
		t.Fatalf("anonymous htmx: %d %q", r.StatusCode, r.Header.Get("HX-Redirect"))
	}
	c := env.Client(t)
	c.Login("judy", "a long secret phrase")
	for _, p := range []string{"/login", "/register"} {
		if r := c.Get(p); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
			t.Errorf("signed-in %s: %d %q", p, r.StatusCode, r.Header.Get("Location"))
		}
	}
}

func TestUnsafeNextGoesToAccount(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "kim", "kim@example.com", "a long secret phrase")
	for _, next := range []string{"//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "evil", "/%0d%0aSet-Cookie:x", "\\\\evil"} {
		c := env.Client(t)
		r := c.Post("/login", url.Values{"login": {"kim"}, "password": {"a long secret phrase"}, "next": {next}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%q: status %d", next, r.StatusCode)
		}
		if loc := r.Header.Get("Location"); loc != "/account" && !strings.HasPrefix(loc, "/%") {
			t.Errorf("next %q led to %q", next, loc)
		}
	}
}
