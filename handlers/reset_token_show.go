package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
)

// resetTokenShow opens a reset link. The token leaves the address bar at
// once (so no access log, history or Referer keeps it, as Django does): a
// live token is kept on the server under a random id the browser holds in
// a cookie, and the answer is a 303 to the token-free form at
// /password-reset/set. A dead link gets the page saying so (404, 410).
// Opening it uses nothing up (mail scanners fetch links); only setting
// the password does.
func (s *Server) resetTokenShow(c fiber.Ctx) error {
	raw := c.Params("token")
	if _, err := s.Account.OpenReset(c.Context(), raw); err != nil {
		return s.linkFailed(c, err, "/password-reset", "Send a new reset link")
	}
	if err := s.stashReset(c, raw); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(resetFormPath)
}

// resetFormShow shows the new-password form for raw, posting to action.
func (s *Server) resetFormShow(c fiber.Ctx, raw, action string) error {
	u, err := s.Account.OpenReset(c.Context(), raw)
	if err != nil {
		return s.linkFailed(c, err, "/password-reset", "Send a new reset link")
	}
	p := s.props(c, "Choose a new password")
	return s.page(c, fiber.StatusOK, p, pages.ResetPassword(pages.ResetForm{Username: u.Username, Email: u.Email},
		action, p.CSRF))
}
