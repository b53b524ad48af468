package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
)

func (s *Server) loginShow(c fiber.Ctx) error {
	next, _ := auth.SafeNext(c.Query("next"))
	rd, _ := s.Account.ReturnTo(c.Query("rd"))
	p := s.props(c, "Sign in")
	return s.page(c, fiber.StatusOK, p, pages.Login(pages.LoginForm{Next: next, RD: rd}, p.CSRF))
}
