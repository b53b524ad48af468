package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
)

func (s *Server) passwordShow(c fiber.Ctx) error {
	p := s.props(c, "Change password")
	return s.page(c, fiber.StatusOK, p, pages.PasswordChange(pages.PasswordForm{}, p.CSRF))
}
