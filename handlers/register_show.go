package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
)

func (s *Server) registerShow(c fiber.Ctx) error {
	p := s.props(c, "Register")
	return s.page(c, fiber.StatusOK, p, pages.Register(pages.RegisterForm{}, p.CSRF))
}
