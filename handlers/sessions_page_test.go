package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const (
	uaFirefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	uaChrome  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	uaSafari  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)

func clientWithUA(t *testing.T, env *testenv.Env, ua string) *testenv.Client {
	c := env.Client(t)
	c.Header.Set("User-Agent", ua)
	return c
}

// sessionHandles maps the device text of each listed session to the
// handle its sign-out form posts.
func sessionHandles(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	parts := strings.Split(body, `data-session="`)
	for _, p := range parts[1:] {
		handle := p[:strings.Index(p, `"`)]
		for _, dev := range []string{"Firefox 128 on Linux", "Chrome 120 on Windows", "Safari 17 on iOS"} {
			end := strings.Index(p, "</li>")
			if end > 0 && strings.Contains(p[:end], dev) {
				out[dev] = handle
			}
		}
	}
	return out
}

func TestSessionsPageListsAndRevokes(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "jo", "jo@example.com", pw)
	a, b, c := clientWithUA(t, env, uaFirefox), clientWithUA(t, env, uaChrome), clientWithUA(t, env, uaSafari)
	a.Login("jo", pw)
	b.Login("jo", pw)
	c.Post("/login", url.Values{"login": {"jo"}, "password": {pw}, "remember": {"on"}})

	r := a.Get("/account/sessions")
	wantStatus(t, r, http.StatusOK, "sessions page")
	if !testenv.Contains(r.Body, "Firefox 128 on Linux", "Chrome 120 on Windows", "Safari 17 on iOS", "127.0.0.1", "This device", "<time") {
		t.Fatalf("sessions page:\n%s", r.Body)
	}
	if strings.Count(r.Body, "data-current") != 1 {
		t.Fatal("not exactly one session marked current")
	}
	if i, j := strings.Index(r.Body, "Firefox 128 on Linux"), strings.Index(r.Body, "data-current"); j < i {
		t.Fatal("the current session is not first")
	}
	for _, cl := range []*testenv.Client{a, b, c} {
		if sid := cl.Cookie("gatehouse_session"); sid == "" || strings.Contains(r.Body, sid) {
			t.Fatal("a session id appears in the page")
		}
	}
	h := sessionHandles(t, r.Body)
	if len(h) != 3 {
		t.Fatalf("handles: %v", h)
	}

	wantRedirect(t, a.Post("/account/sessions/revoke", url.Values{"id": {h["Chrome 120 on Windows"]}}), "/account/sessions", "revoke one")
	r = a.Get("/account/sessions")
	if strings.Contains(r.Body, "Chrome 120") || !strings.Contains(r.Body, "Sessions ended") {
		t.Fatalf("after revoking one:\n%s", r.Body)
	}
	if signedIn(t, b) {
		t.Fatal("the revoked session still works")
	}
	if !signedIn(t, c) || !signedIn(t, a) {
		t.Fatal("revoking one session ended another")
	}
	wantStatus(t, a.Post("/account/sessions/revoke", url.Values{"id": {h["Chrome 120 on Windows"]}}), http.StatusNotFound, "revoke it again")
	wantStatus(t, a.Post("/account/sessions/revoke", url.Values{"id": {"not-a-handle"}}), http.StatusNotFound, "bad handle")
	wantStatus(t, a.Post("/account/sessions/revoke", nil), http.StatusBadRequest, "nothing chosen")

	wantRedirect(t, a.Post("/account/sessions/revoke", url.Values{"all": {"others"}}), "/account/sessions", "revoke all others")
	if signedIn(t, c) || !signedIn(t, a) {
		t.Fatal("all=others ended the wrong sessions")
	}
	r = a.Get("/account/sessions")
	if strings.Count(r.Body, "data-session=") != 1 || strings.Contains(r.Body, "Sign out all other sessions") {
		t.Fatalf("after revoking the others:\n%s", r.Body)
	}
	// Revoking the current session is signing out.
	h = sessionHandles(t, r.Body)
	wantRedirect(t, a.Post("/account/sessions/revoke", url.Values{"id": {h["Firefox 128 on Linux"]}}), "/", "revoke this one")
	if signedIn(t, a) {
		t.Fatal("still signed in after revoking the current session")
	}
}

func TestSessionsPageWithHTMX(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "kit", "kit@example.com", pw)
	a, b := clientWithUA(t, env, uaFirefox), clientWithUA(t, env, uaChrome)
	a.Login("kit", pw)
	b.Login("kit", pw)
	a.Get("/account/sessions")
	r := a.Post("/account/sessions/revoke", url.Values{"all": {"others"}}, "HX-Request", "true")
	wantStatus(t, r, http.StatusOK, "htmx revoke")
	if strings.Contains(r.Body, "<html") || r.Header.Get("HX-Push-Url") != "/account/sessions" ||
		!testenv.Contains(r.Body, "Sessions ended", "Firefox 128 on Linux") || strings.Contains(r.Body, "Chrome 120") {
		t.Fatalf("htmx answer:\n%s", r.Body)
	}
	if signedIn(t, b) {
		t.Fatal("the other session survived")
	}
}

func TestSessionsThatEndedDropOutOfTheList(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	u := env.CreateUser(t, "lou", "lou@example.com", pw)
	a, b := clientWithUA(t, env, uaFirefox), clientWithUA(t, env, uaChrome)
	a.Login("lou", pw)
	b.Login("lou", pw)
	// b's session ends on its own (expiry), leaving its id in the index.
	testenv.Must(t, env.Store.Delete(sessionDataKey(b.Cookie("gatehouse_session"))))
	r := a.Get("/account/sessions")
	if strings.Contains(r.Body, "Chrome") {
		t.Fatalf("an ended session is listed:\n%s", r.Body)
	}
	ids, err := env.Store.SetMembers(context.Background(), "usess:"+testenv.Fmt("%d", u.ID))
	if err != nil || len(ids) != 1 || ids[0] != a.Cookie("gatehouse_session") {
		t.Fatalf("index after listing: %v %v", ids, err)
	}
}

func TestRevokingSessionsNeedsRecentPassword(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "max", "max@example.com", pw)
	a, b := clientWithUA(t, env, uaFirefox), clientWithUA(t, env, uaChrome)
	a.Login("max", pw)
	b.Login("max", pw)
	env.Clock.Advance(4 * time.Minute)
	h := sessionHandles(t, a.Get("/account/sessions").Body)
	// Within 5 minutes of signing in: no question asked.
	wantRedirect(t, a.Post("/account/sessions/revoke", url.Values{"id": {h["Chrome 120 on Windows"]}}), "/account/sessions", "within the window")
	b.Login("max", pw)
	env.Clock.Advance(5*time.Minute + time.Second)
	a.Get("/account/sessions")
	r := a.Post("/account/sessions/revoke", url.Values{"all": {"others"}})
	wantStatus(t, r, http.StatusUnauthorized, "after the window")
	if !testenv.Contains(r.Body, `name="reauth_password"`, `name="all" value="others"`, `action="/account/sessions/revoke"`) {
		t.Fatalf("re-authentication page:\n%s", r.Body)
	}
	if !signedIn(t, b) {
		t.Fatal("the action ran before the password was confirmed")
	}
	r = a.Post("/account/sessions/revoke", url.Values{"all": {"others"}, "reauth_password": {"wrong password"}})
	wantStatus(t, r, http.StatusUnprocessableEntity, "wrong password")
	if !signedIn(t, b) {
		t.Fatal("a wrong password let the action run")
	}
	wantRedirect(t, a.Post("/account/sessions/revoke", url.Values{"all": {"others"}, "reauth_password": {pw}}), "/account/sessions", "confirmed")
	if signedIn(t, b) {
		t.Fatal("the confirmed action did not run")
	}
	// The window starts again: the next sensitive action is not asked.
	b.Login("max", pw)
	a.Get("/account/sessions")
	wantRedirect(t, a.Post("/account/sessions/revoke", url.Values{"all": {"others"}}), "/account/sessions", "right after confirming")
}

// /account/password already asks for the current password: it is the
// re-authentication, so the guard never asks a second time, and a change
// restarts the window.
func TestPasswordChangeDoesNotAskTwice(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	env.CreateUser(t, "ned", "ned@example.com", pw)
	a, b := clientWithUA(t, env, uaFirefox), clientWithUA(t, env, uaChrome)
	a.Login("ned", pw)
	b.Login("ned", pw)
	env.Clock.Advance(10 * time.Minute)
	a.Get("/account/password")
	r := a.Post("/account/password", url.Values{"current_password": {"wrong one!"}, "password": {"a changed passphrase"}, "password_confirm": {"a changed passphrase"}})
	wantStatus(t, r, http.StatusUnprocessableEntity, "wrong current password")
	wantRedirect(t, a.Post("/account/password", url.Values{"current_password": {pw}, "password": {"a changed passphrase"}, "password_confirm": {"a changed passphrase"}}),
		"/account", "change with a stale sign-in")
	if signedIn(t, b) || !signedIn(t, a) {
		t.Fatal("the change did not end the other session only")
	}
	b.Login("ned", "a changed passphrase")
	a.Get("/account/sessions")
	wantRedirect(t, a.Post("/account/sessions/revoke", url.Values{"all": {"others"}}), "/account/sessions", "right after the change")
	m := smtp.WaitTo("ned@example.com", "Your password was changed")
	if !strings.Contains(m.Text, "127.0.0.1") {
		t.Fatalf("notice:\n%s", m.Text)
	}
}

func TestAdminRevokesAUsersSessions(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	target := env.CreateUser(t, "oli", "oli@example.com", pw)
	boss := env.CreateUser(t, "boss", "boss@example.com", pw, testenv.Staff)
	env.Grant(t, boss, "users.view", "users.change")
	viewer := env.CreateUser(t, "peek", "peek@example.com", pw, testenv.Staff)
	env.Grant(t, viewer, "users.view")
	env.CreateUser(t, "pat", "pat@example.com", pw)

	t1, t2 := clientWithUA(t, env, uaFirefox), clientWithUA(t, env, uaChrome)
	t1.Login("oli", pw)
	t2.Login("oli", pw)
	path := testenv.Fmt("/admin/users/%d/sessions/revoke", target.ID)

	for name, login := range map[string]string{"no users.change": "peek", "not staff": "pat"} {
		c := env.Client(t)
		c.Login(login, pw)
		wantStatus(t, c.Post(path, url.Values{"all": {"all"}}), http.StatusForbidden, name)
	}
	peek := env.Client(t)
	peek.Login("peek", pw)
	if r := peek.Get(testenv.Fmt("/admin/users/%d", target.ID)); r.StatusCode != http.StatusOK || strings.Contains(r.Body, `id="user-sessions"`) {
		t.Fatalf("users.view alone: %d, sessions shown: %v", r.StatusCode, strings.Contains(r.Body, `id="user-sessions"`))
	}
	if !signedIn(t, t1) || !signedIn(t, t2) {
		t.Fatal("a refused request ended sessions")
	}

	admin := env.Client(t)
	admin.Login("boss", pw)
	page := admin.Get(testenv.Fmt("/admin/users/%d", target.ID))
	wantStatus(t, page, http.StatusOK, "admin user page")
	if !testenv.Contains(page.Body, `id="user-sessions"`, "Firefox 128 on Linux", "Chrome 120 on Windows", "Sign out all sessions") ||
		strings.Contains(page.Body, t1.Cookie("gatehouse_session")) {
		t.Fatalf("admin user page sessions:\n%s", page.Body)
	}
	chrome := sessionHandles(t, page.Body)["Chrome 120 on Windows"]
	if chrome != auth.Handle(env.Server.SecretKey, "session", t2.Cookie("gatehouse_session")) {
		t.Fatal("the listed handle is not the session's")
	}
	wantRedirect(t, admin.Post(path, url.Values{"id": {chrome}}), testenv.Fmt("/admin/users/%d", target.ID), "revoke one")
	if r := admin.Get(testenv.Fmt("/admin/users/%d", target.ID)); !strings.Contains(r.Body, "Sessions ended") || strings.Contains(r.Body, "Chrome 120") {
		t.Fatalf("admin page after revoking:\n%s", r.Body)
	}
	if signedIn(t, t2) || !signedIn(t, t1) {
		t.Fatal("admin revoke of one session ended the wrong one")
	}
	env.Clock.Advance(6 * time.Minute)
	admin.Get("/account")
	wantStatus(t, admin.Post(path, url.Values{"all": {"all"}}), http.StatusUnauthorized, "stale admin")
	wantRedirect(t, admin.Post(path, url.Values{"all": {"all"}, "reauth_password": {pw}}), testenv.Fmt("/admin/users/%d", target.ID), "revoke all")
	if signedIn(t, t1) || !signedIn(t, admin) {
		t.Fatal("revoke all: target still in, or the admin out")
	}
	wantStatus(t, admin.Post("/admin/users/999999/sessions/revoke", url.Values{"all": {"all"}}), http.StatusNotFound, "no such user")
	wantStatus(t, admin.Post("/admin/users/x/sessions/revoke", url.Values{"all": {"all"}}), http.StatusNotFound, "bad id")
}
