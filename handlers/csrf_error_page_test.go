package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A page rendered for an error (here the 429 of a refused password
// change) carries a token of the signed-in session, so its forms work.
func TestErrorPagesCarryTheSessionsToken(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "tess", "tess@example.com", pw)
	c := env.Client(t)
	c.Login("tess", pw)
	c.Get("/account/password")
	for i := range 5 {
		c.Post("/account/password", url.Values{"current_password": {"wrong guess " + string(rune('a'+i))},
			"password": {"violet ostrich mountain"}, "password_confirm": {"violet ostrich mountain"}})
	}
	r := c.Post("/account/password", url.Values{"current_password": {pw},
		"password": {"violet ostrich mountain"}, "password_confirm": {"violet ostrich mountain"}})
	wantStatus(t, r, http.StatusTooManyRequests, "refused password change")
	// The next form posted uses the 429 page's token.
	r = c.Post("/logout", nil)
	wantStatus(t, r, http.StatusSeeOther, "sign-out with the token of the 429 page")
}
