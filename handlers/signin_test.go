package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestRegisterSignsInAndShowsAccount(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	c.Get("/register")
	r := c.Post("/register", url.Values{"username": {"alice"}, "email": {"Alice@Example.COM"},
		"password": {"correct horse battery"}, "password_confirm": {"correct horse battery"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
		t.Fatalf("register: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	acct := c.Get("/account")
	if acct.StatusCode != 200 || !testenv.Contains(acct.Body, `id="account-username">alice<`, "Alice@example.com", `<nav id="nav"`) {
		t.Fatalf("account page: %d\n%s", acct.StatusCode, acct.Body)
	}
}

func TestLoginLogout(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "bob", "bob@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Get("/login")
	before := c.Cookie("gatehouse_session")
	r := c.Post("/login", url.Values{"login": {"BOB@example.com"}, "password": {"a long secret phrase"}, "next": {"/account?tab=1"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account?tab=1" {
		t.Fatalf("login: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	sid := c.Cookie("gatehouse_session")
	if sid == "" || sid == before {
		t.Fatalf("session id not issued/renewed: before %q after %q", before, sid)
	}
	if h := c.Get("/").Body; !strings.Contains(h, "bob") {
		t.Fatalf("home does not show username:\n%s", h)
	}
	out := c.Post("/logout", nil)
	if out.StatusCode != http.StatusSeeOther || out.Header.Get("Location") != "/" {
		t.Fatalf("logout: %d %q", out.StatusCode, out.Header.Get("Location"))
	}
	replay := env.Client(t)
	replay.SetCookie("gatehouse_session", sid)
	if r := replay.Get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session still works after logout: %d", r.StatusCode)
	}
}

func TestLoginFailureIsGeneric(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "carol", "carol@example.com", "a long secret phrase")
	env.CreateUser(t, "dave", "dave@example.com", "a long secret phrase", testenv.Inactive)
	for _, tc := range []struct{ login, password string }{
		{"carol", "wrong password!"},
		{"nobody", "a long secret phrase"},
		{"dave", "a long secret phrase"},
	} {
		c := env.Client(t)
		r := c.Post("/login", url.Values{"login": {tc.login}, "password": {tc.password}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Invalid username or password.") {
			t.Errorf("%s: %d\n%s", tc.login, r.StatusCode, r.Body)
		}
		if !strings.Contains(r.Body, `value="`+tc.login+`"`) || strings.Contains(r.Body, tc.password) {
			t.Errorf("%s: login not kept or password echoed", tc.login)
		}
		if sid := c.Cookie("gatehouse_session"); sid != "" {
			t.Errorf("%s: a failed sign-in left a session cookie %q", tc.login, sid)
		}
	}
}

func TestPostWithoutCSRFIsRefused(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "erin", "erin@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Get("/login")
	r := c.Post("/login", url.Values{"login": {"erin"}, "password": {"a long secret phrase"}, "csrf_token": {"forged"}})
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("forged token: %d", r.StatusCode)
	}
	if c.Cookie("gatehouse_session") != "" {
		t.Fatal("a session was created despite the CSRF refusal")
	}
}
