package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A pending email change dies with the password: a password change, a
// reset, and an admin's new password each cancel it, so whoever asked for
// it (say, a thief with the old password) cannot finish it afterwards.
func TestPasswordChangeAndResetCancelAPendingEmailChange(t *testing.T) {
	t.Parallel()
	const newPW = "Copper meadow whistle 7"
	for _, how := range []string{"change", "reset", "admin"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			env, smtp := mailEnv(t)
			u := env.CreateUser(t, "kim", "kim@example.com", pw)
			c := env.Client(t)
			c.Login("kim", pw)
			c.Get("/account/email")
			wantRedirect(t, c.Post("/account/email", url.Values{"email": {"thief@example.com"}}), "/account", "request")
			link := mailLink(t, env, smtp, "thief@example.com", "Confirm your new email address", "/verify-email/")

			switch how {
			case "change":
				c.Get("/account/password")
				r := c.Post("/account/password", url.Values{"current_password": {pw}, "password": {newPW}, "password_confirm": {newPW}})
				if r.StatusCode != http.StatusSeeOther {
					t.Fatalf("password change: %d\n%s", r.StatusCode, r.Body)
				}
			case "reset":
				requestReset(t, env.Client(t), "kim@example.com")
				reset := mailLink(t, env, smtp, "kim@example.com", "Reset your password", "/password-reset/")
				rc := env.Client(t)
				form := reset
				if r := rc.Get(reset); r.StatusCode == http.StatusSeeOther {
					form = r.Header.Get("Location") // the token left the address
					rc.Get(form)
				}
				r := rc.Post(form, url.Values{"password": {newPW}, "password_confirm": {newPW}})
				if r.StatusCode != http.StatusSeeOther {
					t.Fatalf("reset: %d\n%s", r.StatusCode, r.Body)
				}
			case "admin":
				root, _ := adminClient(t, env, "root", testenv.Superuser)
				root.Get("/admin/users")
				mustStatus(t, root.Post("/admin/users/"+itoa(u.ID)+"/password", url.Values{"password": {newPW}, "password_confirm": {newPW}}),
					http.StatusSeeOther, "admin sets the password")
			}
			o := env.Client(t)
			wantStatus(t, o.Get(link), http.StatusGone, "the change link after the password changed")
			o.Get("/login")
			wantStatus(t, o.Post(link, nil), http.StatusGone, "confirming it after the password changed")
			if got := loadUser(t, env, u.ID); got.Email != "kim@example.com" {
				t.Fatalf("address changed to %s", got.Email)
			}
		})
	}
}
