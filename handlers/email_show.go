package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
)

// emailShow is the email-change form.
func (s *Server) emailShow(c fiber.Ctx) error {
	return s.emailPage(c, fiber.StatusOK, pages.EmailForm{})
}

func (s *Server) emailPage(c fiber.Ctx, status int, f pages.EmailForm) error {
	u := viewerOf(c).User
	to, err := s.Account.PendingEmail(c.Context(), u.ID)
	if err != nil {
		return err
	}
	p := s.props(c, "Change your email address")
	return s.page(c, status, p, pages.EmailChange(f, u.Email, to, p.CSRF))
}
