package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
)

// resetRequestShow asks for the address to send a reset link to; anyone
// may use it, signed in or not.
func (s *Server) resetRequestShow(c fiber.Ctx) error {
	var f pages.EmailForm
	if v := viewerOf(c); v != nil {
		f.Email = v.User.Email
	}
	p := s.props(c, "Reset your password")
	return s.page(c, fiber.StatusOK, p, pages.ResetRequest(f, p.CSRF))
}
