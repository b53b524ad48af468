package handlers_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A stolen session must not become a password-guessing oracle: wrong
// re-authentication passwords count like failed sign-ins of the account,
// and once the limit is reached even the right one is refused unchecked.
func TestReauthGuessesAreRateLimited(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "rhea", "rhea@example.com", pw)
	a, b := env.Client(t), env.Client(t)
	a.Login("rhea", pw)
	b.Login("rhea", pw)
	env.Clock.Advance(6 * time.Minute)
	a.Get("/account/sessions")
	for i := range 5 {
		r := a.Post("/account/sessions/revoke", url.Values{"all": {"others"}, "reauth_password": {"wrong guess " + string(rune('a'+i))}})
		wantStatus(t, r, http.StatusUnprocessableEntity, "wrong re-authentication password")
	}
	r := a.Post("/account/sessions/revoke", url.Values{"all": {"others"}, "reauth_password": {pw}})
	wantStatus(t, r, http.StatusTooManyRequests, "re-authentication after 5 wrong passwords")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	if !signedIn(t, b) {
		t.Fatal("the action ran although re-authentication was blocked")
	}
	// The sign-in form counts the same failures: no fresh guesses there.
	c := env.Client(t)
	r = c.Post("/login", url.Values{"login": {"rhea"}, "password": {pw}})
	wantStatus(t, r, http.StatusTooManyRequests, "sign-in after 5 wrong re-authentication passwords")
}

// Only superusers touch superusers: staff who may change users cannot sign
// a superuser out either (or they could keep the superusers who would stop
// them out of the console).
func TestAdminCannotRevokeSuperuserSessions(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	root := env.CreateUser(t, "root", "root@example.com", pw, testenv.Superuser)
	staff := env.CreateUser(t, "mallory", "mallory@example.com", pw, testenv.Staff)
	env.Grant(t, staff, "users.view", "users.change")
	victim := env.Client(t)
	victim.Login("root", pw)
	m := env.Client(t)
	m.Login("mallory", pw)
	m.Get("/account")
	path := testenv.Fmt("/admin/users/%d/sessions/revoke", root.ID)
	wantStatus(t, m.Post(path, url.Values{"all": {"all"}}), http.StatusForbidden, "staff revoking a superuser's sessions")
	if !signedIn(t, victim) {
		t.Fatal("a non-superuser signed a superuser out")
	}
	h := sessionHandles(t, victim.Get("/account/sessions").Body)
	for _, id := range h {
		wantStatus(t, m.Post(path, url.Values{"id": {id}}), http.StatusForbidden, "staff revoking one superuser session")
	}
	if !signedIn(t, victim) {
		t.Fatal("a non-superuser signed a superuser session out")
	}
}
