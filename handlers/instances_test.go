package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Two instances on one database and session store behave as one: a
// session made on one works on the other, CSRF tokens carry over, and a
// rate limit counts across both.
func TestInstancesBehaveAsOne(t *testing.T) {
	t.Parallel()
	a := testenv.New(t)
	b := testenv.New(t, testenv.Options{Peer: a})
	a.CreateUser(t, "zack", "zack@example.com", "a long secret phrase")

	ca := a.Client(t)
	ca.Login("zack", "a long secret phrase")
	cb := b.Client(t)
	cb.SetCookie("gatehouse_session", ca.Cookie("gatehouse_session"))
	if r := cb.Get("/account"); r.StatusCode != 200 || !strings.Contains(r.Body, "zack") {
		t.Fatalf("session from instance A on instance B: %d", r.StatusCode)
	}
	// A form served by A is accepted by B (same CSRF store), and sign-out
	// on B ends the session on A too.
	page := ca.Get("/account")
	if page.StatusCode != 200 {
		t.Fatal(page.StatusCode)
	}
	cb.SetCookie("gatehouse_csrf", ca.Cookie("gatehouse_csrf"))
	if r := cb.Post("/logout", url.Values{"csrf_token": {ca.CSRF}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout on B with A's form: %d", r.StatusCode)
	}
	if r := ca.Get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("session still alive on A after sign-out on B: %d", r.StatusCode)
	}

	// Failures spread over both instances reach the account limit together.
	for i := 0; i < 5; i++ {
		env := a
		if i%2 == 1 {
			env = b
		}
		env.Client(t).Post("/login", url.Values{"login": {"zack"}, "password": {"wrong wrong wrong"}})
	}
	for _, env := range []*testenv.Env{a, b} {
		if r := env.Client(t).Post("/login", url.Values{"login": {"zack"}, "password": {"a long secret phrase"}}); r.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("limit does not count across instances: %d", r.StatusCode)
		}
	}
}
