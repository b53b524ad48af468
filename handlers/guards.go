package handlers

import (
	"net/url"

	"github.com/gofiber/fiber/v3"
)

// A guard either lets a request through (true) or answers it itself.
type guard func(c fiber.Ctx) (bool, error)

// guarded runs h behind guards, in order.
func guarded(h fiber.Handler, gs ...guard) fiber.Handler {
	return func(c fiber.Ctx) error {
		for _, g := range gs {
			if ok, err := g(c); !ok || err != nil {
				return err
			}
		}
		return h(c)
	}
}

// getPage registers a GET page; pages without path parameters can also be
// rendered in place after an htmx sign-in (see renderPath).
func (s *Server) getPage(path string, h fiber.Handler, gs ...guard) {
	full := guarded(h, gs...)
	s.router.Get(path, full)
	s.landing[path] = full
}

// mustLogin sends anonymous visitors to the sign-in page, remembering
// where they were going: 303 for browsers, HX-Redirect for htmx.
func (s *Server) mustLogin(c fiber.Ctx) (bool, error) {
	if viewerOf(c) != nil {
		return true, nil
	}
	to := "/login?next=" + url.QueryEscape(string(c.Request().URI().RequestURI()))
	if isHTMX(c) {
		c.Set("HX-Redirect", to)
		return false, c.SendStatus(fiber.StatusOK)
	}
	return false, c.Redirect().Status(fiber.StatusSeeOther).To(to)
}

// mustBeAnon sends signed-in users who open /login or /register to their
// account, or back to the app forward-auth sent them from (an allowed rd).
func (s *Server) mustBeAnon(c fiber.Ctx) (bool, error) {
	if viewerOf(c) == nil {
		return true, nil
	}
	rd := c.Query("rd")
	if c.Method() == fiber.MethodPost {
		rd = formValue(c, "rd")
	}
	if to, ok := s.Account.ReturnTo(rd); ok {
		return false, s.returnTo(c, to)
	}
	return false, seeOther(c, "/account")
}

// mustBeStaff lets only active staff through: every /admin page needs it.
func (s *Server) mustBeStaff(c fiber.Ctx) (bool, error) {
	if ok, err := s.mustLogin(c); !ok {
		return false, err
	}
	if p := viewerOf(c).Principal; !p.IsActive || !p.IsStaff {
		return false, s.forbidden(c)
	}
	return true, nil
}

// mustHave builds a guard for one permission code; staff is required too.
func (s *Server) mustHave(code string) guard {
	return func(c fiber.Ctx) (bool, error) {
		if ok, err := s.mustBeStaff(c); !ok {
			return false, err
		}
		if !viewerOf(c).Principal.HasPerm(code) {
			return false, s.forbidden(c)
		}
		return true, nil
	}
}

func (s *Server) notFoundHandler(c fiber.Ctx) error { return s.notFound(c) }
