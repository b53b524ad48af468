package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/models"
)

// resetTokenShow opens a reset link: the new-password form, or a page
// saying the link is invalid or has expired. Opening it uses nothing up
// (mail scanners fetch links); only setting the password does.
func (s *Server) resetTokenShow(c fiber.Ctx) error {
	raw := c.Params("token")
	_, u, state, err := s.openLink(c.Context(), raw, models.TokenPasswordReset)
	if err != nil {
		return err
	}
	if state == linkOK && !u.IsActive {
		state = linkDead
	}
	if state != linkOK {
		return s.linkInvalid(c, state, "/password-reset", "Send a new reset link")
	}
	p := s.props(c, "Choose a new password")
	return s.page(c, fiber.StatusOK, p, pages.ResetPassword(pages.ResetForm{Username: u.Username, Email: u.Email},
		"/password-reset/"+raw, p.CSRF))
}
