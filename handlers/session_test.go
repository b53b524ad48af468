package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

func sessionSetCookie(r *testenv.Response) string {
	for _, sc := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(sc, "gatehouse_session=") {
			return sc
		}
	}
	return ""
}

func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "lena", "lena@example.com", "a long secret phrase")
	c := env.Client(t)
	r := c.Post("/login", url.Values{"login": {"lena"}, "password": {"a long secret phrase"}})
	sc := sessionSetCookie(r)
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "path=/"} {
		if !strings.Contains(strings.ToLower(sc), strings.ToLower(want)) {
			t.Errorf("cookie %q lacks %s", sc, want)
		}
	}
	if strings.Contains(strings.ToLower(sc), "expires") || strings.Contains(strings.ToLower(sc), "max-age") || strings.Contains(sc, "Secure") {
		t.Errorf("without remember the cookie must be a browser-session cookie, not Secure on http: %q", sc)
	}
	sid := c.Cookie("gatehouse_session")
	if len(sid) < 32 || strings.ContainsAny(sid, "{}:") {
		t.Errorf("cookie value does not look like an opaque random id: %q", sid)
	}
	if ttl := env.TTL(t, sessionDataKey(sid)); ttl < 110*time.Minute || ttl > 2*time.Hour {
		t.Errorf("idle timeout without remember: %v, want 2h", ttl)
	}

	c2 := env.Client(t)
	r = c2.Post("/login", url.Values{"login": {"lena"}, "password": {"a long secret phrase"}, "remember": {"on"}})
	sc = strings.ToLower(sessionSetCookie(r))
	if !strings.Contains(sc, "max-age=1209600") {
		t.Errorf("remember: cookie %q, want 14 days", sc)
	}
	if ttl := env.TTL(t, sessionDataKey(c2.Cookie("gatehouse_session"))); ttl < 13*24*time.Hour {
		t.Errorf("remember: server-side ttl %v", ttl)
	}
	// Later requests keep the remembered lifetime.
	r = c2.Get("/account")
	if sc := strings.ToLower(sessionSetCookie(r)); sc != "" && !strings.Contains(sc, "max-age=1209600") {
		t.Errorf("remembered cookie shortened on a later request: %q", sc)
	}
}

func TestSecureCookieOnHTTPS(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{Env: map[string]string{"GATEHOUSE_BASE_URL": "https://auth.example.com"}})
	env.CreateUser(t, "mona", "mona@example.com", "a long secret phrase")
	c := env.Client(t)
	r := c.Post("/login", url.Values{"login": {"mona"}, "password": {"a long secret phrase"}})
	if !strings.Contains(sessionSetCookie(r), "secure") && !strings.Contains(sessionSetCookie(r), "Secure") {
		t.Fatalf("https base URL: cookie not Secure: %q", sessionSetCookie(r))
	}
}

func TestSignInIssuesNewSessionID(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "nina", "nina@example.com", "a long secret phrase")
	env.CreateUser(t, "omar", "omar@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Login("nina", "a long secret phrase")
	first := c.Cookie("gatehouse_session")
	// Signing in again (as someone else, after sign-out) never reuses the id.
	c.Post("/logout", nil)
	c.Login("omar", "a long secret phrase")
	second := c.Cookie("gatehouse_session")
	if second == first || second == "" {
		t.Fatalf("session id reused: %q", second)
	}
	old := env.Client(t)
	old.SetCookie("gatehouse_session", first)
	if r := old.Get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the id held before sign-in still works: %d", r.StatusCode)
	}
	// A planted (fixated) id is replaced at sign-in.
	fix := env.Client(t)
	fix.SetCookie("gatehouse_session", "attacker-chosen-session-id-0123456789")
	fix.Login("nina", "a long secret phrase")
	if fix.Cookie("gatehouse_session") == "attacker-chosen-session-id-0123456789" {
		t.Fatal("session fixation: planted id kept")
	}
}

func TestIdleTimeoutEndsSession(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	if testenv.Redis() {
		// Redis expires keys on its own clock; the TTL assertion in
		// TestSessionCookieAttributes covers that backend.
		t.Log("idle expiry by clock runs on the embedded store only")
		return
	}
	env.CreateUser(t, "pia", "pia@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Login("pia", "a long secret phrase")
	env.Clock.Advance(119 * time.Minute)
	if r := c.Get("/account"); r.StatusCode != 200 {
		t.Fatalf("session ended before 2h idle: %d", r.StatusCode)
	}
	env.Clock.Advance(121 * time.Minute) // idle again for just over 2h
	if r := c.Get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("session alive after 2h idle: %d", r.StatusCode)
	}
}

func TestLastLoginAndAudit(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	u := env.CreateUser(t, "quinn", "quinn@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Header.Set("User-Agent", "TestAgent/1.0")
	c.Post("/login", url.Values{"login": {"quinn"}, "password": {"wrong wrong wrong"}})
	c.Login("quinn", "a long secret phrase")
	c.Post("/account/password", url.Values{"current_password": {"a long secret phrase"}, "password": {"another long phrase"}, "password_confirm": {"another long phrase"}})
	c.Post("/logout", nil)
	c.Post("/register", registerForm("rita", "rita@example.com", "violet ostrich mountain"))

	ctx := context.Background()
	got, err := (models.Users{DB: env.DB}).ByID(ctx, u.ID)
	if err != nil || got.LastLogin == nil || time.Since(*got.LastLogin) > time.Minute {
		t.Fatalf("last_login not set: %+v %v", got, err)
	}
	audit := models.Audit{DB: env.DB}
	for _, ev := range []string{"login_failed", "login", "password_changed", "logout", "signup"} {
		es, err := audit.Recent(ctx, ev, 5)
		if err != nil || len(es) == 0 {
			t.Errorf("no %s event (%v)", ev, err)
			continue
		}
		if es[0].IP != "127.0.0.1" {
			t.Errorf("%s: ip %q", ev, es[0].IP)
		}
	}
	failed, _ := audit.Recent(ctx, "login_failed", 1)
	if len(failed) == 1 && (failed[0].Login != "quinn" || failed[0].UserAgent != "TestAgent/1.0") {
		t.Errorf("failed sign-in event: %+v", failed[0])
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "sam", "sam@example.com", "a long secret phrase")
	a, b := env.Client(t), env.Client(t)
	a.Login("sam", "a long secret phrase")
	b.Login("sam", "a long secret phrase")
	a.Get("/account/password")
	oldA := a.Cookie("gatehouse_session")

	r := a.Post("/account/password", url.Values{"current_password": {"not it at all"}, "password": {"another long phrase"}, "password_confirm": {"another long phrase"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "current password is not correct") {
		t.Fatalf("wrong current password: %d", r.StatusCode)
	}
	r = a.Post("/account/password", url.Values{"current_password": {"a long secret phrase"}, "password": {"sam"}, "password_confirm": {"sam"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("weak new password: %d", r.StatusCode)
	}
	r = a.Post("/account/password", url.Values{"current_password": {"a long secret phrase"}, "password": {"another long phrase"}, "password_confirm": {"another long phrase"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
		t.Fatalf("change: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if got := a.Get("/account"); got.StatusCode != 200 || !strings.Contains(got.Body, "Password changed") {
		t.Fatalf("current session should continue with a toast: %d", got.StatusCode)
	}
	if a.Cookie("gatehouse_session") == oldA {
		t.Error("current session kept its id after a password change")
	}
	if got := b.Get("/account"); got.StatusCode != http.StatusSeeOther {
		t.Fatalf("other session survived the password change: %d", got.StatusCode)
	}
	replay := env.Client(t)
	replay.SetCookie("gatehouse_session", oldA)
	if got := replay.Get("/account"); got.StatusCode != http.StatusSeeOther {
		t.Fatal("the pre-change id of the current session still works")
	}
	fresh := env.Client(t)
	fresh.Login("sam", "another long phrase")
}

func TestRehashOnSignIn(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	u := env.CreateUser(t, "tara", "tara@example.com", "a long secret phrase")
	// A hash made with other parameters is replaced at the next sign-in.
	old := "$argon2id$v=19$m=512,t=1,p=1$"
	_, err := env.DB.ExecContext(context.Background(), "UPDATE users SET password_hash = ? WHERE id = ?", mustHashWith(t, "a long secret phrase"), u.ID)
	testenv.Must(t, err)
	c := env.Client(t)
	c.Login("tara", "a long secret phrase")
	got, _ := (models.Users{DB: env.DB}).ByID(context.Background(), u.ID)
	if strings.HasPrefix(got.PasswordHash, old) || !strings.Contains(got.PasswordHash, "m=1024,t=1,p=1") {
		t.Fatalf("not re-hashed: %s", got.PasswordHash)
	}
}

func TestAbsoluteTimeout(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	if testenv.Redis() {
		t.Log("absolute expiry by clock runs on the embedded store only")
		return
	}
	env.CreateUser(t, "xena", "xena@example.com", "a long secret phrase")
	c := env.Client(t)
	start := env.Clock.Now()
	c.Post("/login", url.Values{"login": {"xena"}, "password": {"a long secret phrase"}, "remember": {"on"}})
	for _, day := range []int{10, 20, 29} {
		env.Clock.Advance(time.Duration(day)*24*time.Hour - env.Clock.Now().Sub(start))
		if r := c.Get("/account"); r.StatusCode != 200 {
			t.Fatalf("remembered session ended on day %d: %d", day, r.StatusCode)
		}
	}
	env.Clock.Advance(3 * 24 * time.Hour) // day 32: past 30 days since sign-in
	if r := c.Get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("session alive 32 days after sign-in: %d", r.StatusCode)
	}
}
