package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Finding 12: a POST's credentials and CSRF token count only from its
// body; in the query string (where logs and histories keep them) they are
// ignored.
func TestFormValuesComeFromTheBodyOnly(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "alice", "alice@example.com", pw)
	c := env.Client(t)
	c.Get("/login")
	creds := url.Values{"login": {"alice"}, "password": {pw}}

	all := url.Values{"login": {"alice"}, "password": {pw}, "csrf_token": {c.CSRF}}
	if r := c.PostRaw("/login?"+all.Encode(), ""); r.StatusCode != http.StatusForbidden {
		t.Fatalf("everything in the query, empty body: %d", r.StatusCode)
	}
	r := c.PostRaw("/login?"+creds.Encode(), url.Values{"csrf_token": {c.CSRF}}.Encode())
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("credentials in the query: %d", r.StatusCode)
	}
	if c.Cookie("gatehouse_session") != "" {
		t.Fatal("the query string signed in")
	}

	// A signed-in form: the current password in the query counts for nothing.
	c.Login("alice", pw)
	c.Get("/account/password")
	q := url.Values{"current_password": {pw}}.Encode()
	r = c.PostRaw("/account/password?"+q, url.Values{"csrf_token": {c.CSRF}, "password": {"a changed passphrase"},
		"password_confirm": {"a changed passphrase"}}.Encode())
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("current password in the query: %d", r.StatusCode)
	}

	// Multipart bodies are read as well.
	m := env.Client(t)
	m.Get("/login")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range map[string]string{"login": "alice", "password": pw, "csrf_token": m.CSRF} {
		_ = w.WriteField(k, v)
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/login", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if r := m.Do(req); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("multipart sign-in: %d", r.StatusCode)
	}
}
