package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
)

func (s *Server) homeShow(c fiber.Ctx) error {
	p := s.props(c, "")
	name := ""
	if p.Viewer != nil {
		name = p.Viewer.Username
	}
	return s.page(c, fiber.StatusOK, p, pages.Home(name, p.CSRF))
}
