package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// No value of the session cookie names a store key: a cookie that is not a
// session id is no session (never looked up), on both backends. Before,
// gatehouse_session=usess:1 reached the per-user session index (503)
// (issue 9, finding 1).
func TestSessionCookieNamesNoStoreKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := testenv.New(t)
	victim := env.CreateUser(t, "vera", "vera@example.com", pw)
	other := env.CreateUser(t, "otto", "otto@example.com", pw)
	v := env.Client(t)
	v.Login("vera", pw)
	// One failure on the account: its counter exists.
	wantStatus(t, env.Client(t).Post("/login", url.Values{"login": {"vera"}, "password": {"wrong one"}}),
		http.StatusUnprocessableEntity, "wrong password")
	indexKey := testenv.Fmt("usess:%d", victim.ID)
	counterKey := testenv.Fmt("rl:login:acct:%d", victim.ID)
	index := func() []string {
		ids, err := env.Store.SetMembers(ctx, indexKey)
		testenv.Must(t, err)
		slices.Sort(ids)
		return ids
	}
	counter := func() int64 {
		n, _, err := env.Store.Count(ctx, counterKey)
		testenv.Must(t, err)
		return n
	}
	indexBefore, counterBefore := index(), counter()
	if len(indexBefore) != 1 || counterBefore != 1 {
		t.Fatalf("setup: index %v, counter %d", indexBefore, counterBefore)
	}
	sid := v.Cookie("gatehouse_session")
	for _, cookie := range []string{
		indexKey, counterKey, "rl:login:ip:127.0.0.1", "../x", "sess:" + sid, sid + "x", sid[:len(sid)-1] + "=",
		strings.Repeat("A", 6<<10),
	} {
		label := cookie
		if len(label) > 40 {
			label = label[:40] + "…"
		}
		c := env.Client(t)
		c.SetCookie("gatehouse_session", cookie)
		r := c.Get("/")
		wantStatus(t, r, http.StatusOK, "home page with cookie "+label)
		if strings.Contains(r.Body, "data-username") {
			t.Fatalf("cookie %q is signed in", label)
		}
		wantStatus(t, c.Get("/account"), http.StatusSeeOther, "account page with cookie "+label)
		wantStatus(t, c.Post("/login", url.Values{"login": {"otto"}, "password": {pw}}), http.StatusSeeOther,
			"sign-in with cookie "+label)
		if !signedIn(t, c) {
			t.Fatalf("sign-in with cookie %q did not stick", label)
		}
		if got := c.Cookie("gatehouse_session"); !sessionIDShape(got) {
			t.Fatalf("sign-in with cookie %q kept the cookie %q", label, got)
		}
	}
	// The targeted keys are as they were; the victim's session still works.
	if got := index(); !slices.Equal(got, indexBefore) {
		t.Fatalf("session index changed: %v → %v", indexBefore, got)
	}
	if got := counter(); got != counterBefore {
		t.Fatalf("rate-limit counter changed: %d → %d", counterBefore, got)
	}
	if !signedIn(t, v) {
		t.Fatal("the victim's session ended")
	}
	// The other user's sessions are indexed under their own key only.
	if ids, _ := env.Store.SetMembers(ctx, testenv.Fmt("usess:%d", other.ID)); len(ids) != 8 {
		t.Fatalf("otto has %d indexed sessions, want 8", len(ids))
	}
	// A header far too long is refused clearly, never a server error.
	c := env.Client(t)
	c.SetCookie("gatehouse_session", strings.Repeat("j", 10<<10))
	if r := c.Get("/"); r.StatusCode >= 500 || (r.StatusCode == http.StatusOK && strings.Contains(r.Body, "data-username")) {
		t.Fatalf("10 kB cookie: %d", r.StatusCode)
	}
	// And the victim still signs in.
	wantStatus(t, env.Client(t).Post("/login", url.Values{"login": {"vera"}, "password": {pw}}), http.StatusSeeOther, "victim's sign-in")
}

// sessionIDShape is the form of the ids the server makes: 32 random bytes
// in unpadded base64url.
func sessionIDShape(s string) bool {
	if len(s) != 43 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// sessionDataKey is the store key of a session's data (sessions/keys.go).
func sessionDataKey(id string) string { return "sess:" + id }
