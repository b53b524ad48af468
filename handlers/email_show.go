package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/models"
)

// emailShow is the email-change form.
func (s *Server) emailShow(c fiber.Ctx) error {
	return s.emailPage(c, fiber.StatusOK, pages.EmailForm{})
}

func (s *Server) emailPage(c fiber.Ctx, status int, f pages.EmailForm) error {
	u := viewerOf(c).User
	pending, err := models.Tokens{DB: s.DB}.Pending(c.Context(), u.ID, models.TokenEmailChange, s.Now())
	if err != nil {
		return err
	}
	var to string
	if pending != nil {
		to = pending.Email
	}
	p := s.props(c, "Change your email address")
	return s.page(c, status, p, pages.EmailChange(f, u.Email, to, p.CSRF))
}
