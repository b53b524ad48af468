package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
)

// This file is what the root package gatehouse offers to Go programs that
// mount Gatehouse: the viewer of a request and middleware for their own
// routes with the answers of Gatehouse's own pages.

// Viewer returns the signed-in user of the request and what they may do;
// ok is false for anonymous requests.
func Viewer(c fiber.Ctx) (u *auth.User, p auth.Principal, ok bool) {
	v := viewerOf(c)
	if v == nil {
		return nil, auth.Principal{}, false
	}
	return v.User, v.Principal, true
}

// CSRFToken is the token a form of this request posts as csrf_token (or
// sends as the X-CSRF-Token header).
func CSRFToken(c fiber.Ctx) string { return csrfToken(c) }

// RequireLogin is middleware: anonymous requests go to the sign-in page
// (303, or HX-Redirect for htmx) with next set to where they were going.
func (s *Server) RequireLogin() fiber.Handler { return middleware(s.mustLogin) }

// RequireStaff is middleware letting only active staff through; others get
// the 403 page, anonymous requests the sign-in page.
func (s *Server) RequireStaff() fiber.Handler { return middleware(s.mustBeStaff) }

// RequirePerm is middleware letting through signed-in users who hold every
// one of codes (an active superuser holds all); others get the 403 page.
// Unlike the admin's pages it does not ask for staff status, as Django's
// permission_required does not.
func (s *Server) RequirePerm(codes ...string) fiber.Handler {
	return middleware(func(c fiber.Ctx) (bool, error) {
		if ok, err := s.mustLogin(c); !ok {
			return false, err
		}
		p := viewerOf(c).Principal
		for _, code := range codes {
			if !p.HasPerm(code) {
				return false, s.forbidden(c)
			}
		}
		return true, nil
	})
}

// Forbidden answers with the 403 page in Gatehouse's layout.
func (s *Server) Forbidden(c fiber.Ctx) error { return s.forbidden(c) }

func middleware(g guard) fiber.Handler {
	return func(c fiber.Ctx) error {
		if ok, err := g(c); !ok || err != nil {
			return err
		}
		return c.Next()
	}
}
