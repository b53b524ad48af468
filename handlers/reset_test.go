package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

func TestPasswordResetLinkWorksOnce(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	u := env.CreateUser(t, "rita", "rita@example.com", pw)
	c := env.Client(t)
	if r := c.Get("/password-reset"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `name="email"`) {
		t.Fatalf("form: %d\n%s", r.StatusCode, r.Body)
	}
	wantRedirect(t, requestReset(t, c, "RITA@example.com"), "/password-reset/sent", "request")
	if r := c.Get("/password-reset/sent"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Check your inbox") {
		t.Fatalf("sent page: %d\n%s", r.StatusCode, r.Body)
	}
	link := mailLink(t, env, smtp, "rita@example.com", "Reset your password", "/password-reset/")

	form := openLink(t, c, link)
	wantStatus(t, form, http.StatusOK, "open link")
	if !testenv.Contains(form.Body, `name="password"`, `name="password_confirm"`, `autocomplete="new-password"`, "rita") {
		t.Fatalf("reset form:\n%s", form.Body)
	}
	weak := c.Post(link, url.Values{"password": {"short"}, "password_confirm": {"short"}})
	wantStatus(t, weak, http.StatusUnprocessableEntity, "weak password")
	if !strings.Contains(weak.Body, `aria-invalid="true"`) {
		t.Fatalf("weak password not marked:\n%s", weak.Body)
	}
	wantRedirect(t, c.Post(link, url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}}),
		"/login", "set password")
	if r := c.Get("/login"); !strings.Contains(r.Body, "You can sign in now") {
		t.Fatalf("no flash after the reset:\n%s", r.Body)
	}

	// Used: the link is dead for GET and POST alike.
	wantStatus(t, openLink(t, c, link), http.StatusGone, "second open")
	again := c.Post(link, url.Values{"password": {"yet another passphrase"}, "password_confirm": {"yet another passphrase"}})
	wantStatus(t, again, http.StatusGone, "second use")
	if !strings.Contains(again.Body, "invalid or has expired") || !strings.Contains(again.Body, `href="/password-reset"`) {
		t.Fatalf("dead link page:\n%s", again.Body)
	}

	bad := env.Client(t)
	if r := bad.Post("/login", url.Values{"login": {"rita"}, "password": {pw}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("old password still works: %d", r.StatusCode)
	}
	env.Client(t).Login("rita", "a brand new passphrase")

	notice := smtp.WaitTo("rita@example.com", "Your password was changed")
	if !strings.Contains(notice.Text, "rita") || notice.HTML == "" {
		t.Fatalf("notice:\n%s", notice.Text)
	}
	if !loadUser(t, env, u.ID).EmailVerified {
		t.Error("a reset through the mailed link did not mark the address verified")
	}
}

func TestPasswordResetEndsEverySession(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	env.CreateUser(t, "sam", "sam@example.com", pw)
	a, b := env.Client(t), env.Client(t)
	a.Login("sam", pw)
	b.Login("sam", pw)
	// The signed-in user resets it themselves (anyone may).
	wantRedirect(t, requestReset(t, a, "sam@example.com"), "/password-reset/sent", "request while signed in")
	link := mailLink(t, env, smtp, "sam@example.com", "Reset your password", "/password-reset/")
	wantStatus(t, openLink(t, a, link), http.StatusOK, "open")
	wantRedirect(t, a.Post(link, url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}}),
		"/login", "reset")
	if signedIn(t, a) || signedIn(t, b) {
		t.Fatal("a session survived the reset")
	}
	n, err := env.Store.SetMembers(context.Background(), "usess:1")
	if err != nil || len(n) != 0 {
		t.Fatalf("session index after the reset: %v %v", n, err)
	}
}

func TestPasswordResetLinkExpiresAfterAnHour(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	env.CreateUser(t, "tom", "tom@example.com", pw)
	c := env.Client(t)
	requestReset(t, c, "tom@example.com")
	link := mailLink(t, env, smtp, "tom@example.com", "Reset your password", "/password-reset/")
	env.Clock.Advance(59 * time.Minute)
	wantStatus(t, openLink(t, c, link), http.StatusOK, "after 59 minutes")
	env.Clock.Advance(2 * time.Minute)
	wantStatus(t, openLink(t, c, link), http.StatusGone, "after 61 minutes")
	r := c.Post(link, url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}})
	wantStatus(t, r, http.StatusGone, "post after 61 minutes")
}

func TestPasswordResetLinkDiesWhenThePasswordChanges(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	env.CreateUser(t, "uma", "uma@example.com", pw)
	c := env.Client(t)
	requestReset(t, c, "uma@example.com")
	first := mailLink(t, env, smtp, "uma@example.com", "Reset your password", "/password-reset/")

	s := env.Client(t)
	s.Login("uma", pw)
	s.Get("/account/password")
	wantRedirect(t, s.Post("/account/password", url.Values{"current_password": {pw},
		"password": {"a changed passphrase"}, "password_confirm": {"a changed passphrase"}}), "/account", "change")
	wantStatus(t, openLink(t, c, first), http.StatusGone, "link after a password change")
	smtp.WaitTo("uma@example.com", "Your password was changed")

	// Of two live links, using one kills the other.
	env.Clock.Advance(time.Second)
	requestReset(t, c, "uma@example.com")
	requestReset(t, c, "uma@example.com")
	links := map[string]bool{}
	for _, m := range smtp.WaitCount(4, 10*time.Second) {
		if l := m.Link("/password-reset/"); m.Subject == "Reset your password" && l != "" && pathOf(t, env, l) != first {
			links[pathOf(t, env, l)] = true
		}
	}
	if len(links) != 2 {
		t.Fatalf("want two new links, got %v", links)
	}
	var ls []string
	for l := range links {
		ls = append(ls, l)
	}
	openLink(t, c, ls[0])
	wantRedirect(t, c.Post(ls[0], url.Values{"password": {"a third passphrase"}, "password_confirm": {"a third passphrase"}}), "/login", "reset")
	wantStatus(t, openLink(t, c, ls[1]), http.StatusGone, "the other link")
}

func TestPasswordResetSameAnswerForUnknownAddress(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	env.CreateUser(t, "vic", "vic@example.com", pw)
	env.CreateUser(t, "old", "old@example.com", pw, testenv.Inactive)
	known, unknown, inactive := env.Client(t), env.Client(t), env.Client(t)
	rk := requestReset(t, known, "vic@example.com")
	ru := requestReset(t, unknown, "nobody@example.com")
	ri := requestReset(t, inactive, "old@example.com")
	for name, r := range map[string]*testenv.Response{"known": rk, "unknown": ru, "inactive": ri} {
		wantRedirect(t, r, "/password-reset/sent", name)
		if stripCSRF(r.Body) != stripCSRF(rk.Body) {
			t.Errorf("%s: body differs from the known address's", name)
		}
	}
	if a, b := known.Get("/password-reset/sent"), unknown.Get("/password-reset/sent"); stripCSRF(a.Body) != stripCSRF(b.Body) || a.StatusCode != b.StatusCode {
		t.Error("the sent pages differ")
	}
	// htmx: the same fragment for both.
	hk := known.Post("/password-reset", url.Values{"email": {"vic@example.com"}}, "HX-Request", "true")
	hu := unknown.Post("/password-reset", url.Values{"email": {"nobody@example.com"}}, "HX-Request", "true")
	if hk.StatusCode != http.StatusOK || hk.StatusCode != hu.StatusCode || hk.Header.Get("HX-Push-Url") != "/password-reset/sent" ||
		stripCSRF(hk.Body) != stripCSRF(hu.Body) {
		t.Errorf("htmx answers differ: %d %d\n%s\n---\n%s", hk.StatusCode, hu.StatusCode, hk.Body, hu.Body)
	}
	m := smtp.WaitTo("nobody@example.com", "Password reset request")
	if m.Link("/password-reset/") != "" || m.Link("/register") == "" {
		t.Fatalf("the unknown-address mail:\n%s", m.Text)
	}
	smtp.WaitTo("vic@example.com", "Reset your password")
	time.Sleep(200 * time.Millisecond)
	if got := smtp.To("old@example.com"); len(got) != 0 {
		t.Fatalf("a deactivated account got %d mails", len(got))
	}
	// Invalid input is the one thing the form says.
	bad := known.Post("/password-reset", url.Values{"email": {"not an address"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity, "invalid address")
	if !testenv.Contains(bad.Body, `aria-invalid="true"`, `value="not an address"`) {
		t.Fatalf("invalid address form:\n%s", bad.Body)
	}
}

func stripCSRF(s string) string {
	if i := strings.Index(s, `<meta name="csrf-token"`); i >= 0 {
		if j := strings.Index(s[i:], ">"); j >= 0 {
			return s[:i] + s[i+j+1:]
		}
	}
	return s
}

// The known and the unknown path take about as long: both make a token,
// render a mail and commit one transaction; delivery is in the background.
func TestPasswordResetTimingDoesNotTell(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	const n = 9
	for i := range n {
		env.CreateUser(t, fmt.Sprintf("tim%d", i), fmt.Sprintf("tim%d@example.com", i), pw)
	}
	c := env.Client(t)
	c.Get("/password-reset")
	var known, unknown []time.Duration
	for i := range n {
		for _, addr := range []string{fmt.Sprintf("tim%d@example.com", i), fmt.Sprintf("ghost%d@example.com", i)} {
			start := time.Now()
			r := c.Post("/password-reset", url.Values{"email": {addr}})
			d := time.Since(start)
			wantRedirect(t, r, "/password-reset/sent", addr)
			if strings.HasPrefix(addr, "tim") {
				known = append(known, d)
			} else {
				unknown = append(unknown, d)
			}
		}
	}
	// Requests alternate, so the difference within each pair cancels the
	// load of other tests running meanwhile.
	diffs := make([]time.Duration, n)
	for i := range n {
		diffs[i] = known[i] - unknown[i]
	}
	mk, mu, md := median(known), median(unknown), median(diffs)
	t.Logf("median POST /password-reset: known %v, unknown %v, paired difference %v", mk, mu, md)
	if md > 10*time.Millisecond || md < -10*time.Millisecond {
		t.Errorf("known %v vs unknown %v (paired difference %v): the timing tells", mk, mu, md)
	}
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func TestPasswordResetRateLimits(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "wes", "wes@example.com", pw)
	c := env.Client(t)
	c.Get("/password-reset")
	for i := range 5 {
		wantRedirect(t, c.Post("/password-reset", url.Values{"email": {"wes@example.com"}}), "/password-reset/sent", fmt.Sprint("request ", i+1))
	}
	r := c.Post("/password-reset", url.Values{"email": {"WES@example.com"}})
	wantStatus(t, r, http.StatusTooManyRequests, "6th request for one address")
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After %q", ra)
	}
	// An unknown address is limited the same way, or the limit would tell.
	for range 5 {
		c.Post("/password-reset", url.Values{"email": {"ghost@example.com"}})
	}
	wantStatus(t, c.Post("/password-reset", url.Values{"email": {"ghost@example.com"}}), http.StatusTooManyRequests, "6th for an unknown address")
	// 10 counted so far from this IP; 10 more addresses reach 20.
	for i := range 10 {
		wantRedirect(t, c.Post("/password-reset", url.Values{"email": {fmt.Sprintf("x%d@example.com", i)}}), "/password-reset/sent", "spray")
	}
	wantStatus(t, c.Post("/password-reset", url.Values{"email": {"fresh@example.com"}}), http.StatusTooManyRequests, "21st from one IP")
	if got := outboxCount(t, env); got != 20 {
		t.Fatalf("%d mails queued, want 20 (refused requests send nothing)", got)
	}
}

func TestPasswordResetBadLinksAreClear4xx(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	c.Get("/password-reset")
	wellFormed := auth.RandomToken(12) + "." + auth.RandomToken(32)
	for _, tok := range []string{"x", "a.b", "..", strings.Repeat("A", 5000), wellFormed, "%00", "%FF%FE", "AAAAAAAAAAAAAAAA.%2e%2e"} {
		for _, r := range []*testenv.Response{
			c.Get("/password-reset/" + tok),
			c.Post("/password-reset/"+tok, url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}}),
			c.Get("/verify-email/" + tok),
		} {
			if r.StatusCode < 400 || r.StatusCode >= 500 {
				t.Errorf("%s %s: %d", r.Request.Method, r.Request.URL.Path, r.StatusCode)
			}
		}
	}
	r := c.Get("/password-reset/" + wellFormed)
	wantStatus(t, r, http.StatusNotFound, "unknown token")
	if !testenv.Contains(r.Body, "invalid or has expired", `<main id="main"`) {
		t.Fatalf("page:\n%s", r.Body)
	}
}

// The stored verifier is an HMAC under the secret key: a token made under
// another key (a rotated one) does not open.
func TestResetLinkNeedsTheCurrentSecretKey(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	u := env.CreateUser(t, "yan", "yan@example.com", pw)
	u = loadUser(t, env, u.ID)
	binding := fmt.Sprintf("%s|%d|%s|%d", models.TokenPasswordReset, u.ID, u.EmailKey, u.PasswordChangedAt.UnixMicro())
	c := env.Client(t)
	for key, want := range map[string]int{
		env.Server.SecretKey:                      http.StatusOK,
		"the-previous-key-0123456789abcdefghijkl": http.StatusGone,
	} {
		raw, sel, hash := auth.NewKeyedSplitToken(key, binding)
		now := env.Clock.Now()
		testenv.Must(t, models.Tokens{DB: env.DB}.Create(context.Background(), &models.Token{Kind: models.TokenPasswordReset,
			Selector: sel, VerifierHash: hash, UserID: u.ID, Email: u.Email, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
		wantStatus(t, openLink(t, c, "/password-reset/"+raw), want, "key "+key[:8])
	}
}
