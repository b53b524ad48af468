package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
)

// registerShow is the sign-up form; an allowed rd (a link from a protected
// app) is carried through it like the sign-in form's.
func (s *Server) registerShow(c fiber.Ctx) error {
	rd, _ := s.Account.ReturnTo(c.Query("rd"))
	p := s.props(c, "Register")
	return s.page(c, fiber.StatusOK, p, pages.Register(pages.RegisterForm{RD: rd}, p.CSRF))
}
