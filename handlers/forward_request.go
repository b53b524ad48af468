package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
)

// forwardRequest is GET /auth/request, for nginx's auth_request: nginx
// turns the 401 into the redirect to sign in itself (error_page).
func (s *Server) forwardRequest(c fiber.Ctx) error {
	_, d, ok, err := s.forwardDecision(c)
	if !ok {
		return err
	}
	switch d.Verdict {
	case auth.Allow:
		return allowed(c, d.Identity)
	case auth.NeedSignIn:
		return c.Status(fiber.StatusUnauthorized).SendString("Unauthorized\n")
	}
	return refused(c)
}
