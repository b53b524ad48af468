package handlers_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/kv"
)

// storeCountEnv starts a server and returns a count of everything in its
// session store: the rows of the SQL store's tables, or the Redis keys
// under a prefix of the test's own.
func storeCountEnv(t *testing.T) (*testenv.Env, func() int) {
	t.Helper()
	ctx := context.Background()
	if !testenv.Redis() {
		env := testenv.New(t)
		return env, func() int {
			t.Helper()
			total := 0
			for _, table := range []string{"kv_entries", "kv_counters", "kv_sets"} {
				n, err := env.DB.NewSelect().TableExpr(table).Count(ctx)
				if err != nil {
					t.Fatal(err)
				}
				total += int(n)
			}
			return total
		}
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "gatehouse-test:count" + hex.EncodeToString(b[:]) + ":"
	addr := os.Getenv("GATEHOUSE_TEST_REDIS_URL")
	store, err := kv.NewRedis(addr, prefix)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := redis.ParseURL(addr)
	if err != nil {
		t.Fatal(err)
	}
	rc := redis.NewClient(opts)
	t.Cleanup(func() { _ = store.Reset(); _ = store.Close(); _ = rc.Close() })
	env := testenv.New(t, testenv.Options{Deps: func(p *gatehouse.Parts) { p.Store = store }})
	return env, func() int {
		t.Helper()
		n := 0
		iter := rc.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			n++
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// Finding 8: anonymous GETs write nothing to the session store (the CSRF
// token is stateless), from new visitors and returning ones alike.
func TestAnonymousGETsWriteNothingToTheStore(t *testing.T) {
	t.Parallel()
	env, count := storeCountEnv(t)
	before := count()
	returning := env.Client(t)
	paths := []string{"/", "/login", "/register"}
	for i := range 200 {
		c := returning
		if i%2 == 0 {
			c = env.Client(t) // a new visitor, no cookies
		}
		p := paths[i%len(paths)]
		if r := c.Get(p); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `name="csrf-token"`) {
			t.Fatalf("GET %s: %d", p, r.StatusCode)
		}
	}
	if after := count(); after != before {
		t.Fatalf("200 anonymous GETs left %d entries in the store (before: %d)", after, before)
	}
	// The token of those pages works without anything stored.
	env.CreateUser(t, "gina", "gina@example.com", pw)
	returning.Login("gina", pw)
}

// Login CSRF: a token taken from another browser (the attacker's) is
// refused, whether the victim's browser has a CSRF cookie of its own or
// none yet.
func TestCSRFTokenOfAnotherBrowserIsRefused(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "mallory", "mallory@example.com", pw)
	attacker := env.Client(t)
	attacker.Get("/login")
	stolen := url.Values{"login": {"mallory"}, "password": {pw}, "csrf_token": {attacker.CSRF}}

	victim := env.Client(t)
	victim.Get("/login")
	if r := victim.Post("/login", stolen); r.StatusCode != http.StatusForbidden {
		t.Fatalf("another browser's token with the victim's cookie: %d", r.StatusCode)
	}
	fresh := env.Client(t)
	if r := fresh.Post("/login", stolen); r.StatusCode != http.StatusForbidden {
		t.Fatalf("another browser's token without a cookie: %d", r.StatusCode)
	}
	// A header token is checked the same way.
	if r := victim.Post("/login", url.Values{"login": {"mallory"}, "password": {pw}, "csrf_token": {""}},
		"X-CSRF-Token", attacker.CSRF); r.StatusCode != http.StatusForbidden {
		t.Fatalf("another browser's token in the header: %d", r.StatusCode)
	}
	if victim.Cookie("gatehouse_session") != "" || fresh.Cookie("gatehouse_session") != "" {
		t.Fatal("a forged sign-in started a session")
	}
	// The victim's own token works; so does the header.
	victim.Login("mallory", pw)
	other := env.Client(t)
	other.Get("/login")
	if r := other.Post("/login", url.Values{"login": {"mallory"}, "password": {pw}, "csrf_token": {""}},
		"X-CSRF-Token", other.CSRF); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("own token in the header: %d", r.StatusCode)
	}
}

// The CSRF cookie is HttpOnly, SameSite=Lax, Secure with an https base
// URL, signed, and names no store entry: a planted value (finding 1) is
// replaced, refused for posts, and cannot touch a rate-limit counter.
func TestCSRFCookieIsSignedAndNamesNothing(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	ck := setCookie(t, c.Get("/login").Response, "gatehouse_csrf")
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure {
		t.Fatalf("cookie %+v", ck)
	}
	if strings.Contains(ck.Value, ":") || len(ck.Value) < 40 {
		t.Fatalf("cookie value %q", ck.Value)
	}
	if again := c.Get("/login"); len(again.Cookies()) != 0 {
		t.Fatalf("the cookie is set again on every page: %v", again.Cookies())
	}

	secure := testenv.New(t, testenv.Options{Env: map[string]string{"GATEHOUSE_BASE_URL": "https://gate.example"}})
	if ck := setCookie(t, secure.Client(t).Get("/login").Response, "gatehouse_csrf"); !ck.Secure || !ck.HttpOnly {
		t.Fatalf("with an https base URL: %+v", ck)
	}

	u := env.CreateUser(t, "ursula", "ursula@example.com", pw)
	for _, planted := range []string{"rl:login:acct:" + itoa(u.ID), "usess:" + itoa(u.ID), "rl:login:name:ursula"} {
		p := env.Client(t)
		p.SetCookie("gatehouse_csrf", planted)
		for range 3 {
			if r := p.Get("/"); r.StatusCode != http.StatusOK {
				t.Fatalf("GET with cookie %q: %d", planted, r.StatusCode)
			}
		}
		if r := p.Post("/login", url.Values{"login": {"nobody"}, "password": {pw}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("post after the planted cookie was replaced: %d", r.StatusCode)
		}
		q := env.Client(t)
		q.SetCookie("gatehouse_csrf", planted)
		if r := q.Post("/login", url.Values{"login": {"ursula"}, "password": {pw}, "csrf_token": {planted}}); r.StatusCode != http.StatusForbidden {
			t.Fatalf("planted cookie %q as its own token: %d", planted, r.StatusCode)
		}
	}
	env.Client(t).Login("ursula", pw)
}

func setCookie(t *testing.T, r *http.Response, name string) *http.Cookie {
	t.Helper()
	for _, ck := range r.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	t.Fatalf("no %s cookie set: %v", name, r.Header.Values("Set-Cookie"))
	return nil
}

// Origin (or, without it, Sec-Fetch-Site) must name this site on every
// POST; a request with neither passes on its token alone.
func TestCSRFOriginMustBeThisSite(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	c.Get("/register")
	validate := func(token string, header ...string) int {
		t.Helper()
		return c.Post("/register/validate", url.Values{"field": {"username"}, "username": {"newname"}, "csrf_token": {token}}, header...).StatusCode
	}
	tok := c.CSRF
	for _, tt := range []struct {
		header []string
		want   int
	}{
		{nil, http.StatusOK},
		{[]string{"Origin", env.URL}, http.StatusOK},
		{[]string{"Origin", "http://localhost:8080"}, http.StatusOK}, // the base URL
		{[]string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{[]string{"Origin", "null"}, http.StatusForbidden},
		{[]string{"Origin", strings.Replace(env.URL, "http:", "https:", 1)}, http.StatusForbidden},
		{[]string{"Sec-Fetch-Site", "same-origin"}, http.StatusOK},
		{[]string{"Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		{[]string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{[]string{"Origin", "https://evil.example", "Sec-Fetch-Site", "same-origin"}, http.StatusForbidden},
	} {
		if got := validate(tok, tt.header...); got != tt.want {
			t.Errorf("%v: %d, want %d", tt.header, got, tt.want)
		}
	}
	// Without a valid token nothing passes, whatever the headers say.
	for _, h := range [][]string{nil, {"Origin", env.URL}, {"Sec-Fetch-Site", "same-origin"}} {
		if got := validate("", h...); got != http.StatusForbidden {
			t.Errorf("no token, %v: %d", h, got)
		}
		if got := validate("forged", h...); got != http.StatusForbidden {
			t.Errorf("forged token, %v: %d", h, got)
		}
	}
}

// The token rotates at sign-in and at sign-out: the anonymous token of
// before the sign-in, and the session's after the sign-out, are refused.
func TestCSRFTokenRotatesAtSignInAndOut(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "otto", "otto@example.com", pw)
	c := env.Client(t)
	c.Get("/login")
	before, beforeCookie := c.CSRF, c.Cookie("gatehouse_csrf")
	probe := func(token string) int {
		t.Helper()
		return c.Post("/register/validate", url.Values{"field": {"username"}, "username": {"newname"}, "csrf_token": {token}}).StatusCode
	}
	if probe(before) != http.StatusOK {
		t.Fatal("the anonymous token does not work")
	}
	c.Login("otto", pw)
	if c.Cookie("gatehouse_csrf") == beforeCookie {
		t.Error("the CSRF cookie was not renewed at sign-in")
	}
	if got := probe(before); got != http.StatusForbidden {
		t.Fatalf("the token of before the sign-in still works: %d", got)
	}
	c.Get("/account")
	session := c.CSRF
	if probe(session) != http.StatusOK {
		t.Fatal("the session's token does not work")
	}
	// A password change gives the session a new id; its forms keep working.
	c.Get("/account/password")
	if r := c.Post("/account/password", url.Values{"current_password": {pw}, "password": {"a changed passphrase"},
		"password_confirm": {"a changed passphrase"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("password change: %d", r.StatusCode)
	}
	if probe(session) != http.StatusOK {
		t.Fatal("the session's token died with the session id's rotation")
	}
	if r := c.Post("/logout", url.Values{"csrf_token": {session}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", r.StatusCode)
	}
	for name, tok := range map[string]string{"the session's": session, "the anonymous one of before": before} {
		if got := probe(tok); got != http.StatusForbidden {
			t.Errorf("after sign-out %s token works: %d", name, got)
		}
	}
	c.Get("/login")
	if c.CSRF == before || probe(c.CSRF) != http.StatusOK {
		t.Fatal("no fresh working token after the sign-out")
	}
}

// Tokens made by one instance are accepted by another that shares the
// secret key and the session store: before sign-in and after.
func TestCSRFTokensCarryAcrossInstances(t *testing.T) {
	t.Parallel()
	a := testenv.New(t)
	b := testenv.New(t, testenv.Options{Peer: a})
	a.CreateUser(t, "iris", "iris@example.com", pw)
	ca := a.Client(t)
	ca.Get("/login")
	cb := b.Client(t)
	cb.SetCookie("gatehouse_csrf", ca.Cookie("gatehouse_csrf"))
	if r := cb.Post("/login", url.Values{"login": {"iris"}, "password": {pw}, "csrf_token": {ca.CSRF}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in on B with A's anonymous token: %d", r.StatusCode)
	}
	cb.Get("/account")
	back := a.Client(t)
	back.SetCookie("gatehouse_session", cb.Cookie("gatehouse_session"))
	if r := back.Post("/logout", url.Values{"csrf_token": {cb.CSRF}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out on A with B's session token: %d", r.StatusCode)
	}
	if signedIn(t, cb) {
		t.Fatal("the session survived the sign-out on the other instance")
	}
}
