package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/models"
)

// unverifiedPage answers a sign-in (or sign-up) of an unverified address
// when verification is mandatory: no session, a page that says what to do.
func (s *Server) unverifiedPage(c fiber.Ctx, u *models.User) error {
	s.event(c, "login_unverified", u.ID, u.Username, "")
	p := s.props(c, "Confirm your email")
	return s.page(c, fiber.StatusForbidden, p, pages.Unverified(u.Email, p.CSRF))
}
