package handlers

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
)

// reauthWindow is how long a typed password vouches for sensitive changes.
const reauthWindow = 5 * time.Minute

// mustReauth guards sensitive POSTs (password or email change, revoking
// sessions, admin changes): unless the password was entered in the last
// five minutes, it answers with a page that asks for it and re-posts the
// original form, values kept, to the same address.
func (s *Server) mustReauth(c fiber.Ctx) (bool, error) {
	if ok, err := s.mustLogin(c); !ok {
		return false, err
	}
	cur, ok := s.Sessions.Load(c)
	if !ok {
		return false, fiber.ErrForbidden
	}
	if s.Now().Sub(cur.AuthAt) < reauthWindow {
		return true, nil
	}
	u := viewerOf(c).User
	pw := formValue(c, "reauth_password")
	if pw == "" {
		return false, s.reauthPage(c, "")
	}
	err := s.Account.Reauthenticate(c.Context(), u, pw, s.client(c))
	if errors.Is(err, account.ErrWrongPassword) {
		return false, s.reauthPage(c, msgWrongReauth)
	}
	if err != nil {
		return false, err
	}
	s.Sessions.MarkAuthenticated(c)
	return true, nil
}

func (s *Server) reauthPage(c fiber.Ctx, errMsg string) error {
	var kept []pages.Hidden
	args := c.Request().PostArgs()
	for k, v := range args.All() {
		name := string(k)
		if name == "csrf_token" || name == "reauth_password" {
			continue
		}
		kept = append(kept, pages.Hidden{Name: name, Value: string(v)})
	}
	// The form posts back to where it came from, and only to this site:
	// a path like "//host/x" would send the password elsewhere.
	action, ok := auth.SafeNext(string(c.Request().URI().RequestURI()))
	if !ok {
		return fiber.ErrBadRequest
	}
	p := s.props(c, "Confirm your password")
	status := fiber.StatusUnauthorized
	if errMsg != "" {
		status = fiber.StatusUnprocessableEntity
	}
	// Retarget so an htmx form that asked for a fragment still shows the page.
	if isHTMX(c) {
		c.Set("HX-Retarget", "#main")
		c.Set("HX-Reswap", "innerHTML")
	}
	return s.page(c, status, p, pages.Reauth(action, kept, errMsg, p.CSRF))
}
