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

func register(t *testing.T, c *testenv.Client, name, email string) *testenv.Response {
	t.Helper()
	c.Get("/register")
	return c.Post("/register", url.Values{"username": {name}, "email": {email}, "password": {pw}, "password_confirm": {pw}})
}

func TestSignUpSendsAVerificationLinkThatWorksOnce(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	c := env.Client(t)
	before := outboxCount(t, env)
	wantRedirect(t, register(t, c, "ada", "Ada@Example.com"), "/account", "register")
	if got := outboxCount(t, env); got != before+1 {
		t.Fatalf("outbox grew by %d, want 1", got-before)
	}
	if r := c.Get("/account"); !strings.Contains(r.Body, "not verified") || !strings.Contains(r.Body, `action="/verify-email/resend"`) {
		t.Fatalf("account page before verification:\n%s", r.Body)
	}
	link := mailLink(t, env, smtp, "Ada@example.com", "Confirm your email address", "/verify-email/")

	// Opened in another browser, signed out: the page shows the address
	// and a button, and changes nothing (a mail scanner's GET).
	other := env.Client(t)
	r := other.Get(link)
	wantStatus(t, r, http.StatusOK, "open the link")
	if !testenv.Contains(r.Body, "Ada@example.com", `method="post" action="`+link+`"`, `name="csrf_token"`, "Confirm email address") {
		t.Fatalf("link page:\n%s", r.Body)
	}
	if r := c.Get("/account"); !strings.Contains(r.Body, "not verified") {
		t.Fatalf("a GET confirmed the address:\n%s", r.Body)
	}
	// The button confirms it.
	r = other.Post(link, nil)
	wantStatus(t, r, http.StatusOK, "confirm")
	if !testenv.Contains(r.Body, "Email address confirmed", "Ada@example.com", `href="/login"`) {
		t.Fatalf("confirmation page:\n%s", r.Body)
	}
	if r := c.Get("/account"); !strings.Contains(r.Body, "✓ verified") || strings.Contains(r.Body, "not verified") {
		t.Fatalf("account page after verification:\n%s", r.Body)
	}
	// Used again, by POST or GET: already confirmed, not an error.
	for _, r := range []*testenv.Response{other.Post(link, nil), other.Get(link)} {
		wantStatus(t, r, http.StatusOK, "second use")
		if !testenv.Contains(r.Body, "already confirmed", "Ada@example.com") || strings.Contains(r.Body, `action="`+link+`"`) {
			t.Fatalf("second use:\n%s", r.Body)
		}
	}
	// A taken name changes nothing: no account, no mail.
	n := outboxCount(t, env)
	wantStatus(t, register(t, env.Client(t), "ada", "other@example.com"), http.StatusUnprocessableEntity, "taken name")
	if outboxCount(t, env) != n {
		t.Fatal("a refused sign-up queued a mail")
	}
}

func TestVerificationLinkLastsThreeDays(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	c := env.Client(t)
	register(t, c, "bo", "bo@example.com")
	register(t, env.Client(t), "cy", "cy@example.com")
	bo := mailLink(t, env, smtp, "bo@example.com", "Confirm your email address", "/verify-email/")
	cy := mailLink(t, env, smtp, "cy@example.com", "Confirm your email address", "/verify-email/")
	env.Clock.Advance(3*24*time.Hour - time.Minute)
	wantStatus(t, confirm(t, env.Client(t), bo), http.StatusOK, "just under 3 days")
	var verified bool
	testenv.Must(t, env.DB.NewSelect().TableExpr("users").Column("email_verified").Where("username_key = ?", "bo").Scan(context.Background(), &verified))
	if !verified {
		t.Fatal("not confirmed just under 3 days")
	}
	env.Clock.Advance(2 * time.Minute)
	r := env.Client(t).Get(cy)
	wantStatus(t, r, http.StatusGone, "just over 3 days")
	wantStatus(t, confirm(t, env.Client(t), cy), http.StatusGone, "confirmed just over 3 days")
	if !strings.Contains(r.Body, "invalid or has expired") {
		t.Fatalf("expired page:\n%s", r.Body)
	}
}

func TestMandatoryVerificationBlocksSignInUntilTheLinkIsUsed(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t, map[string]string{"GATEHOUSE_EMAIL_VERIFICATION": "mandatory"})
	c := env.Client(t)
	r := register(t, c, "dee", "dee@example.com")
	wantStatus(t, r, http.StatusOK, "register")
	if !strings.Contains(r.Body, "Confirm your email address") || c.Cookie("gatehouse_session") != "" {
		t.Fatalf("sign-up under mandatory verification gave a session or no notice:\n%s", r.Body)
	}
	first := mailLink(t, env, smtp, "dee@example.com", "Confirm your email address", "/verify-email/")

	r = c.Post("/login", url.Values{"login": {"dee"}, "password": {pw}})
	wantStatus(t, r, http.StatusForbidden, "sign-in before verification")
	if c.Cookie("gatehouse_session") != "" || !strings.Contains(r.Body, `action="/verify-email/resend"`) {
		t.Fatalf("unverified page:\n%s", r.Body)
	}
	if signedIn(t, c) {
		t.Fatal("signed in without a verified address")
	}
	handle := between(r.Body, `name="handle" value="`, `"`)

	// One new link per 3 minutes; the sign-up mail counts.
	r = c.Post("/verify-email/resend", url.Values{"handle": {handle}})
	wantStatus(t, r, http.StatusTooManyRequests, "resend at once")
	if r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "less than 3 minutes ago") {
		t.Fatalf("cooldown answer:\n%s", r.Body)
	}
	wantStatus(t, c.Post("/verify-email/resend", url.Values{"handle": {handle + "x"}}), http.StatusBadRequest, "forged handle")
	env.Clock.Advance(3*time.Minute + time.Second)
	c.Get("/login") // a fresh CSRF token after the clock jump
	r = c.Post("/verify-email/resend", url.Values{"handle": {handle}})
	wantStatus(t, r, http.StatusOK, "resend after 3 minutes")
	if !strings.Contains(r.Body, "A new link is on its way") {
		t.Fatalf("resend page:\n%s", r.Body)
	}
	msgs := smtp.WaitCount(2, 10*time.Second)
	second := pathOf(t, env, msgs[1].Link("/verify-email/"))
	if second == first {
		t.Fatal("the new mail carries the old link")
	}
	wantStatus(t, confirm(t, env.Client(t), second), http.StatusOK, "verify")
	c.Login("dee", pw)
	if !signedIn(t, c) {
		t.Fatal("not signed in after verification")
	}
	// An hour later the handle has expired.
	env.Clock.Advance(time.Hour)
	anon := env.Client(t)
	anon.Get("/login")
	wantStatus(t, anon.Post("/verify-email/resend", url.Values{"handle": {handle}}), http.StatusBadRequest, "expired handle")
}

func TestResendFromTheAccountPage(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	c := env.Client(t)
	register(t, c, "eli", "eli@example.com")
	smtp.WaitTo("eli@example.com", "Confirm your email address")
	c.Get("/account")
	wantStatus(t, c.Post("/verify-email/resend", nil), http.StatusTooManyRequests, "resend at once")
	env.Clock.Advance(3*time.Minute + time.Second)
	c.Get("/account")
	wantRedirect(t, c.Post("/verify-email/resend", nil), "/account", "resend")
	if r := c.Get("/account"); !strings.Contains(r.Body, "Check your inbox") {
		t.Fatalf("no flash:\n%s", r.Body)
	}
	smtp.WaitCount(2, 10*time.Second)
}

func TestEmailChangeTakesEffectOnceConfirmed(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	u := env.CreateUser(t, "fay", "fay@example.com", pw, testenv.Verified)
	env.CreateUser(t, "gus", "gus@example.com", pw)
	c := env.Client(t)
	c.Login("fay", pw)
	if r := c.Get("/account/email"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "fay@example.com") {
		t.Fatalf("form: %d\n%s", r.StatusCode, r.Body)
	}
	r := c.Post("/account/email", url.Values{"email": {"gus@example.com"}})
	wantStatus(t, r, http.StatusUnprocessableEntity, "taken address")
	if !testenv.Contains(r.Body, "already exists", `aria-invalid="true"`, `value="gus@example.com"`) {
		t.Fatalf("taken:\n%s", r.Body)
	}
	wantStatus(t, c.Post("/account/email", url.Values{"email": {"FAY@example.com"}}), http.StatusUnprocessableEntity, "same address")

	// Past the re-authentication window: the password first, the new
	// address kept through the confirmation.
	env.Clock.Advance(6 * time.Minute)
	c.Get("/account/email")
	r = c.Post("/account/email", url.Values{"email": {"fay@new.example"}})
	wantStatus(t, r, http.StatusUnauthorized, "stale sign-in")
	if !testenv.Contains(r.Body, `name="reauth_password"`, `name="email" value="fay@new.example"`, `action="/account/email"`) {
		t.Fatalf("re-authentication page:\n%s", r.Body)
	}
	wantRedirect(t, c.Post("/account/email", url.Values{"email": {"fay@new.example"}, "reauth_password": {pw}}), "/account", "after re-authentication")
	acct := c.Get("/account")
	if !testenv.Contains(acct.Body, "fay@example.com", "fay@new.example", `id="account-pending-email"`) {
		t.Fatalf("account page while the change waits:\n%s", acct.Body)
	}
	if got := loadUser(t, env, u.ID); got.Email != "fay@example.com" {
		t.Fatalf("the address changed before confirmation: %s", got.Email)
	}
	link := mailLink(t, env, smtp, "fay@new.example", "Confirm your new email address", "/verify-email/")
	if n := len(smtp.To("fay@example.com")); n != 0 {
		t.Fatalf("the old address was told before the change: %d mails", n)
	}
	r = c.Get(link)
	if !testenv.Contains(r.Body, "fay@new.example", "as the new email address") || loadUser(t, env, u.ID).Email != "fay@example.com" {
		t.Fatalf("opening the link changed the address, or its page is wrong:\n%s", r.Body)
	}
	r = confirm(t, c, link)
	wantStatus(t, r, http.StatusOK, "confirm")
	if !strings.Contains(r.Body, "is now") {
		t.Fatalf("confirm page:\n%s", r.Body)
	}
	got := loadUser(t, env, u.ID)
	if got.Email != "fay@new.example" || got.EmailKey != "fay@new.example" || !got.EmailVerified {
		t.Fatalf("after confirmation: %+v", got)
	}
	notice := smtp.WaitTo("fay@example.com", "Your email address was changed")
	if !strings.Contains(notice.Text, "fay@new.example") {
		t.Fatalf("notice:\n%s", notice.Text)
	}
	wantStatus(t, c.Get(link), http.StatusGone, "second use")
	wantStatus(t, c.Post(link, nil), http.StatusGone, "second use")
	env.Client(t).Login("fay@new.example", pw)
	if r := env.Client(t).Post("/login", url.Values{"login": {"fay@example.com"}, "password": {pw}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("the old address still signs in: %d", r.StatusCode)
	}
}

func TestEmailChangeLinkForAnAddressTakenMeanwhile(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	u := env.CreateUser(t, "hal", "hal@example.com", pw)
	c := env.Client(t)
	c.Login("hal", pw)
	c.Get("/account/email")
	wantRedirect(t, c.Post("/account/email", url.Values{"email": {"shared@example.com"}}), "/account", "request")
	link := mailLink(t, env, smtp, "shared@example.com", "Confirm your new email address", "/verify-email/")
	env.CreateUser(t, "ivy", "Shared@example.com", pw)
	r := confirm(t, c, link)
	wantStatus(t, r, http.StatusConflict, "taken meanwhile")
	if got := loadUser(t, env, u.ID); got.Email != "hal@example.com" {
		t.Fatalf("address changed to a taken one: %s", got.Email)
	}
	// The cooldown holds for change requests too.
	c.Get("/account/email")
	r = c.Post("/account/email", url.Values{"email": {"hal2@example.com"}})
	wantStatus(t, r, http.StatusTooManyRequests, "second change at once")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	// A new request replaces the pending one: the old link dies.
	env.Clock.Advance(3*time.Minute + time.Second)
	c.Get("/account/email")
	wantRedirect(t, c.Post("/account/email", url.Values{"email": {"hal2@example.com"}}), "/account", "new request")
	pending, err := models.Tokens{DB: env.DB}.Pending(context.Background(), u.ID, models.TokenEmailChange, env.Clock.Now())
	if err != nil || pending == nil || pending.Email != "hal2@example.com" {
		t.Fatalf("pending change: %+v %v", pending, err)
	}
}

// confirm opens a verification link and presses its button.
func confirm(t *testing.T, c *testenv.Client, link string) *testenv.Response {
	t.Helper()
	r := c.Get(link)
	if r.StatusCode != http.StatusOK {
		c.Get("/login") // a CSRF token for the POST
		return c.Post(link, nil)
	}
	if !strings.Contains(r.Body, `action="`+link+`"`) {
		t.Fatalf("the link's page has no confirm button:\n%s", r.Body)
	}
	return c.Post(link, nil)
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		return ""
	}
	return s[:j]
}
