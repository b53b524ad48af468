package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/layout"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func renderString(t *testing.T, c templ.Component) string {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The sign-in page is rendered once and then served from its pieces
// (handlers/shared_page.go): every answer must be byte for byte what
// rendering it afresh gives, with this visitor's token and next path
// and rd escaped as templ escapes them, whole page or htmx fragment, and a
// one-time message still shown.
func TestSharedSignInPageIsTheRenderedPage(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	want := func(tok, next, rd string, htmx bool) string {
		p := layout.Props{Title: "Sign in", CSRF: tok}
		content := pages.Login(pages.LoginForm{Next: next, RD: rd, RegisterRD: url.QueryEscape(rd)}, tok)
		if htmx {
			return renderString(t, layout.Fragment(p, content))
		}
		return renderString(t, layout.Page(p, content))
	}
	odd := `/account/sessions?q="x"&b=<i>'`
	next, ok := auth.SafeNext(odd)
	if !ok || next == "" {
		t.Fatalf("SafeNext(%q) = %q, %v", odd, next, ok)
	}
	// rd may go back to the base URL's host (CONTRACT §9).
	rd := `http://localhost:8080/app?a=1&b="<x>"`
	cases := []struct {
		path, next, rd string
		htmx           bool
	}{
		{"/login", "", "", false},
		{"/login?next=" + url.QueryEscape(odd), next, "", false},
		{"/login", "", "", false},
		{"/login?next=" + url.QueryEscape(odd), next, "", true},
		{"/login", "", "", true},
		{"/login?next=%2F%2Fevil.example", "", "", false},
		{"/login?rd=" + url.QueryEscape(rd), "", rd, false},
		{"/login?rd=" + url.QueryEscape(rd) + "&next=" + url.QueryEscape(odd), next, rd, false},
		{"/login?rd=http%3A%2F%2Fevil.example%2F", "", "", false},
	}
	tokens := map[string]bool{}
	for _, tc := range cases {
		for range 2 {
			c := env.Client(t)
			var h []string
			if tc.htmx {
				h = []string{"HX-Request", "true"}
			}
			r := c.Get(tc.path, h...)
			if r.StatusCode != http.StatusOK || c.CSRF == "" {
				t.Fatalf("GET %s: %d, token %q", tc.path, r.StatusCode, c.CSRF)
			}
			if tokens[c.CSRF] {
				t.Fatalf("GET %s: token %q served twice", tc.path, c.CSRF)
			}
			tokens[c.CSRF] = true
			if w := want(c.CSRF, tc.next, tc.rd, tc.htmx); r.Body != w {
				t.Fatalf("GET %s (htmx %v):\n got %s\nwant %s", tc.path, tc.htmx, r.Body, w)
			}
		}
	}
	// The token of a served page works.
	env.CreateUser(t, "sally", "sally@example.com", pw)
	c := env.Client(t)
	c.Get("/login")
	if r := c.Post("/login", url.Values{"login": {"sally"}, "password": {pw}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with the shared page's token: %d", r.StatusCode)
	}
	// A one-time message is shown, once.
	c = env.Client(t)
	c.SetCookie("gatehouse_flash", "signed_out")
	if r := c.Get("/login"); !strings.Contains(r.Body, "Signed out") {
		t.Fatalf("flash not shown: %s", r.Body)
	}
	if r := c.Get("/login"); strings.Contains(r.Body, "Signed out") || r.Body != want(c.CSRF, "", "", false) {
		t.Fatalf("flash shown twice, or the page differs: %s", r.Body)
	}
}
