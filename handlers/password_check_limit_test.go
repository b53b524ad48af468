package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

// The password-change form's current password is a password check like
// re-authentication: wrong ones count against the account and are audited,
// and beyond the limit even the right one is refused unchecked (issue 9,
// finding 4) — also when the form has other errors.
func TestPasswordChangeCurrentPasswordIsLimited(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "pia", "pia@example.com", pw)
	c := env.Client(t)
	c.Login("pia", pw)
	c.Get("/account/password")
	for i := range 5 {
		form := url.Values{"current_password": {"wrong guess " + string(rune('a'+i))},
			"password": {"violet ostrich mountain"}, "password_confirm": {"violet ostrich mountain"}}
		if i%2 == 1 {
			// The form's other errors do not make the check free.
			form.Set("password_confirm", "does not match")
		}
		wantStatus(t, c.Post("/account/password", form), http.StatusUnprocessableEntity, "wrong current password")
	}
	r := c.Post("/account/password", url.Values{"current_password": {pw},
		"password": {"violet ostrich mountain"}, "password_confirm": {"violet ostrich mountain"}})
	wantStatus(t, r, http.StatusTooManyRequests, "password change after 5 wrong current passwords")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	c.Get("/account/password")
	r = c.Post("/account/password", url.Values{"current_password": {pw},
		"password": {"violet ostrich mountain"}, "password_confirm": {"mismatch"}})
	wantStatus(t, r, http.StatusTooManyRequests, "password form with errors after 5 wrong current passwords")
	es, err := (models.Audit{DB: env.DB}).Recent(context.Background(), "password_change_failed", 10)
	testenv.Must(t, err)
	if len(es) != 5 {
		t.Fatalf("%d password_change_failed events, want 5", len(es))
	}
	// The account is locked for sign-in too, and the password is unchanged.
	wantStatus(t, env.Client(t).Post("/login", url.Values{"login": {"pia"}, "password": {pw}}),
		http.StatusTooManyRequests, "sign-in after 5 wrong current passwords")
}
