package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// openLink opens a mailed reset link as a browser does: a live link
// answers 303 to the token-free form, which is fetched; a dead one answers
// itself.
func openLink(t *testing.T, c *testenv.Client, link string) *testenv.Response {
	t.Helper()
	r := c.Get(link)
	if r.StatusCode != http.StatusSeeOther {
		return r
	}
	wantRedirect(t, r, "/password-reset/set", "open "+link)
	return c.Get("/password-reset/set")
}

// Finding 13: the reset token leaves the address at once. Opening the
// link keeps the token on the server under a random id the browser holds
// in a cookie and redirects to a token-free form; neither the access log
// nor the form page holds the token.
func TestResetLinkLeavesTheAddressAtOnce(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	env.CreateUser(t, "rhea", "rhea@example.com", pw)
	c := env.Client(t)
	requestReset(t, c, "rhea@example.com")
	link := mailLink(t, env, smtp, "rhea@example.com", "Reset your password", "/password-reset/")
	tok := strings.TrimPrefix(link, "/password-reset/")
	_, verifier, _ := strings.Cut(tok, ".")

	r := c.Get(link)
	wantRedirect(t, r, "/password-reset/set", "open the link")
	ck := setCookie(t, r.Response, "gatehouse_reset")
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/password-reset/" || ck.MaxAge <= 0 ||
		strings.Contains(ck.Value, tok) || strings.Contains(ck.Value, ":") {
		t.Fatalf("reset cookie %+v", ck)
	}
	form := c.Get("/password-reset/set")
	wantStatus(t, form, http.StatusOK, "token-free form")
	if !testenv.Contains(form.Body, `action="/password-reset/set"`, `name="password"`, "rhea") || strings.Contains(form.Body, verifier) {
		t.Fatalf("form:\n%s", form.Body)
	}
	// Opening it again from the same browser keeps one entry and still works.
	again := c.Get(link)
	wantRedirect(t, again, "/password-reset/set", "open again")
	if setCookie(t, again.Response, "gatehouse_reset").Value != ck.Value {
		t.Error("a second opening made a second entry")
	}
	weak := c.Post("/password-reset/set", url.Values{"password": {"short"}, "password_confirm": {"short"}})
	wantStatus(t, weak, http.StatusUnprocessableEntity, "weak password")
	if !strings.Contains(weak.Body, `action="/password-reset/set"`) {
		t.Fatalf("weak-password form:\n%s", weak.Body)
	}
	// Another browser has no entry; a made-up cookie names nothing.
	other := env.Client(t)
	wantStatus(t, other.Get("/password-reset/set"), http.StatusNotFound, "another browser")
	for _, planted := range []string{"rl:login:acct:1", "pwreset:x", ck.Value + "x", strings.ToUpper(ck.Value)} {
		other.SetCookie("gatehouse_reset", planted)
		wantStatus(t, other.Get("/password-reset/set"), http.StatusNotFound, "cookie "+planted)
		r := other.Post("/password-reset/set", url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}})
		wantStatus(t, r, http.StatusNotFound, "post with cookie "+planted)
	}

	wantRedirect(t, c.Post("/password-reset/set", url.Values{"password": {"a brand new passphrase"},
		"password_confirm": {"a brand new passphrase"}}), "/login", "set the password")
	env.Client(t).Login("rhea", "a brand new passphrase")
	// Used: the entry is gone, and the link itself is dead.
	wantStatus(t, c.Get("/password-reset/set"), http.StatusNotFound, "form after use")
	wantStatus(t, c.Get(link), http.StatusGone, "link after use")

	logs := env.Logs()
	if strings.Contains(logs, verifier) {
		t.Fatalf("the log holds the reset token:\n%s", logs)
	}
	if !strings.Contains(logs, `path=/password-reset/…`) || !strings.Contains(logs, "path=/password-reset/set") {
		t.Fatalf("the log does not show the masked link and the form:\n%s", logs)
	}
}

// The opened form lasts half an hour; after that the link must be opened
// again (while it lives).
func TestResetFormEntryExpires(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	env.CreateUser(t, "ross", "ross@example.com", pw)
	c := env.Client(t)
	requestReset(t, c, "ross@example.com")
	link := mailLink(t, env, smtp, "ross@example.com", "Reset your password", "/password-reset/")
	r := c.Get(link)
	wantRedirect(t, r, "/password-reset/set", "open")
	id, _, _ := strings.Cut(setCookie(t, r.Response, "gatehouse_reset").Value, ".")
	if ttl := env.TTL(t, "pwreset:"+id); ttl <= 29*time.Minute || ttl > 30*time.Minute {
		t.Fatalf("the entry lives %v, want 30 minutes", ttl)
	}
	wantStatus(t, c.Get("/password-reset/set"), http.StatusOK, "form")
	if testenv.Redis() {
		return // Redis expires on its own clock; the TTL above is what counts
	}
	env.Clock.Advance(31 * time.Minute)
	wantStatus(t, c.Get("/password-reset/set"), http.StatusGone, "form after 31 minutes")
	wantStatus(t, openLink(t, c, link), http.StatusOK, "open again after 31 minutes")
}
