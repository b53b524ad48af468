package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/smtptest"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

const pw = "a long secret phrase"

// mailEnv starts a server whose outbox sender delivers to a real SMTP
// server.
func mailEnv(t *testing.T, extra ...map[string]string) (*testenv.Env, *smtptest.Server) {
	t.Helper()
	smtp := smtptest.Start(t)
	o := testenv.Options{SMTP: smtp}
	if len(extra) > 0 {
		o.Env = extra[0]
	}
	return testenv.New(t, o), smtp
}

// pathOf turns a link from a mail into a path on the test server.
func pathOf(t *testing.T, env *testenv.Env, link string) string {
	t.Helper()
	base := env.Config.BaseURL.String()
	if !strings.HasPrefix(link, base+"/") {
		t.Fatalf("link %q is not on the base URL %s", link, base)
	}
	return strings.TrimPrefix(link, base)
}

// mailLink waits for a mail to addr with subject and returns the path of
// its link starting with prefix; it checks both parts carry the link.
func mailLink(t *testing.T, env *testenv.Env, smtp *smtptest.Server, addr, subject, prefix string) string {
	t.Helper()
	m := smtp.WaitTo(addr, subject)
	link := m.Link(prefix)
	if link == "" {
		t.Fatalf("mail %q to %s has no %s link:\n%s", subject, addr, prefix, m.Text)
	}
	if !strings.Contains(m.HTML, `href="`+link+`"`) {
		t.Fatalf("the HTML part lacks the link %s:\n%s", link, m.HTML)
	}
	return pathOf(t, env, link)
}

func wantStatus(t *testing.T, r *testenv.Response, status int, what string) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.StatusCode, status, r.Body)
	}
}

func wantRedirect(t *testing.T, r *testenv.Response, to, what string) {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != to {
		t.Fatalf("%s: %d to %q, want 303 to %q\n%s", what, r.StatusCode, r.Header.Get("Location"), to, r.Body)
	}
}

// signedIn reports whether the client's session still reaches /account.
func signedIn(t *testing.T, c *testenv.Client) bool {
	t.Helper()
	r := c.Get("/account")
	switch r.StatusCode {
	case http.StatusOK:
		return true
	case http.StatusSeeOther:
		return false
	}
	t.Fatalf("GET /account: %d", r.StatusCode)
	return false
}

func loadUser(t *testing.T, env *testenv.Env, id int64) *models.User {
	t.Helper()
	u, err := models.Users{DB: env.DB}.ByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func requestReset(t *testing.T, c *testenv.Client, email string) *testenv.Response {
	t.Helper()
	c.Get("/password-reset")
	return c.Post("/password-reset", url.Values{"email": {email}})
}

func outboxCount(t *testing.T, env *testenv.Env) int {
	t.Helper()
	n, err := env.DB.NewSelect().TableExpr("outbox").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
