package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

// Staff with users.change clear a user's sign-in lockout from the user's
// admin page (audited), so a locked-out colleague need not wait 15 minutes;
// staff without it are refused (issue 9, finding 15).
func TestAdminClearsSignInLockout(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	u := env.CreateUser(t, "luca", "Luca@example.com", pw)
	viewer := env.CreateUser(t, "vivi", "vivi@example.com", pw, testenv.Staff)
	env.Grant(t, viewer, "users.view")
	staff := env.CreateUser(t, "sam", "sam@example.com", pw, testenv.Staff)
	env.Grant(t, staff, "users.view", "users.change")

	c := env.Client(t)
	for i, login := range []string{"luca", "LUCA", "luca@example.com", "luca", "Luca@Example.com"} {
		wantStatus(t, c.Post("/login", url.Values{"login": {login}, "password": {"wrong " + strconv.Itoa(i)}}),
			http.StatusUnprocessableEntity, "wrong password")
	}
	wantStatus(t, c.Post("/login", url.Values{"login": {"luca"}, "password": {pw}}), http.StatusTooManyRequests, "after 5 failures")

	path := testenv.Fmt("/admin/users/%d", u.ID)
	v := env.Client(t)
	v.Login("vivi", pw)
	if r := v.Get(path); strings.Contains(r.Body, "Clear sign-in lockout") {
		t.Fatal("the unlock button is offered to staff without users.change")
	}
	wantStatus(t, v.Post(path+"/unlock", nil), http.StatusForbidden, "unlock without users.change")
	wantStatus(t, c.Post("/login", url.Values{"login": {"luca"}, "password": {pw}}), http.StatusTooManyRequests, "after a refused unlock")

	s := env.Client(t)
	s.Login("sam", pw)
	r := s.Get(path)
	if !strings.Contains(r.Body, `action="`+path+`/unlock"`) || !strings.Contains(r.Body, "Clear sign-in lockout") {
		t.Fatalf("no unlock button on the user page:\n%s", r.Body)
	}
	r = s.Post(path+"/unlock", nil)
	wantStatus(t, r, http.StatusSeeOther, "unlock")
	if r.Header.Get("Location") != path {
		t.Fatalf("unlock redirects to %q", r.Header.Get("Location"))
	}
	if !strings.Contains(s.Get(path).Body, "Sign-in lockout cleared") {
		t.Error("no confirmation after the unlock")
	}
	// The user signs in with either login.
	c.Login("luca", pw)
	wantStatus(t, env.Client(t).Post("/login", url.Values{"login": {"luca@example.com"}, "password": {pw}}),
		http.StatusSeeOther, "sign-in by email after the unlock")
	es, err := (models.Audit{DB: env.DB}).Recent(context.Background(), "lockout_cleared", 5)
	testenv.Must(t, err)
	if len(es) != 1 {
		t.Fatalf("%d lockout_cleared events, want 1", len(es))
	}
	// An unknown user is a 404, not an error.
	wantStatus(t, s.Post("/admin/users/999999/unlock", nil), http.StatusNotFound, "unlock of an unknown user")
}
