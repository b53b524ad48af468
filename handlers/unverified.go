package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/models"
)

// unverifiedPage answers a sign-in of an unverified address when
// verification is mandatory: no session, a page that says what to do and
// offers a new link.
func (s *Server) unverifiedPage(c fiber.Ctx, u *models.User) error {
	s.event(c, "login_unverified", u.ID, u.Username, "")
	return s.unverifiedView(c, u, fiber.StatusForbidden, "", "")
}

func (s *Server) unverifiedView(c fiber.Ctx, u *models.User, status int, notice, alert string) error {
	// The empty session the sign-in or sign-up request opened is not kept.
	if viewerOf(c) == nil {
		if err := s.Sessions.DropAnonymous(c); err != nil {
			return fmt.Errorf("drop empty session: %w", err)
		}
	}
	p := s.props(c, "Confirm your email")
	return s.page(c, status, p, pages.Unverified(pages.UnverifiedView{
		Email: u.Email, Handle: s.handleFor(u), Notice: notice, Alert: alert, CSRF: p.CSRF,
	}))
}
