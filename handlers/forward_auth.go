package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
)

// forwardAuth is GET /auth/forward, for Traefik's forwardAuth and Caddy's
// forward_auth: an anonymous visitor is sent to sign in (302, the proxy
// passes it on) and comes back to the original URL.
func (s *Server) forwardAuth(c fiber.Ctx) error {
	o, d, ok, err := s.forwardDecision(c)
	if !ok {
		return err
	}
	switch d.Verdict {
	case auth.Allow:
		return allowed(c, d.Identity)
	case auth.NeedSignIn:
		return c.Redirect().Status(fiber.StatusFound).To(s.signInURL(&o))
	}
	return refused(c)
}
