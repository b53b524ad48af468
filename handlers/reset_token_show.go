package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
)

// resetTokenShow opens a reset link: the new-password form, or a page
// saying the link is invalid or has expired. Opening it uses nothing up
// (mail scanners fetch links); only setting the password does.
func (s *Server) resetTokenShow(c fiber.Ctx) error {
	raw := c.Params("token")
	u, err := s.Account.OpenReset(c.Context(), raw)
	if err != nil {
		return s.linkFailed(c, err, "/password-reset", "Send a new reset link")
	}
	p := s.props(c, "Choose a new password")
	return s.page(c, fiber.StatusOK, p, pages.ResetPassword(pages.ResetForm{Username: u.Username, Email: u.Email},
		"/password-reset/"+raw, p.CSRF))
}
