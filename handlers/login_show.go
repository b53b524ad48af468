package handlers

import (
	"net/url"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
)

// loginShow is the sign-in page: every anonymous visitor gets the same one
// but for the token, next and rd, so it is a shared page (shared_page.go).
func (s *Server) loginShow(c fiber.Ctx) error {
	next, _ := auth.SafeNext(c.Query("next"))
	rd, _ := s.Account.ReturnTo(c.Query("rd"))
	p := s.props(c, "Sign in")
	return s.sharedPage(c, "login", p, []string{next, rd, url.QueryEscape(rd)}, func(csrf string, v []string) templ.Component {
		return pages.Login(pages.LoginForm{Next: v[0], RD: v[1], RegisterRD: v[2]}, csrf)
	})
}
