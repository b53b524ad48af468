package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
)

// unverifiedView answers a sign-in or sign-up of an address that must be
// confirmed first: no session, a page that says what to do and offers a
// new link.
func (s *Server) unverifiedView(c fiber.Ctx, u *auth.User, status int, notice, alert string) error {
	// The empty session the sign-in or sign-up request opened is not kept.
	if viewerOf(c) == nil {
		if err := s.Sessions.DropAnonymous(c); err != nil {
			return fmt.Errorf("drop empty session: %w", err)
		}
	}
	p := s.props(c, "Confirm your email")
	return s.page(c, status, p, pages.Unverified(pages.UnverifiedView{
		Email: u.Email, Handle: s.Account.ResendHandle(u), Notice: notice, Alert: alert, CSRF: p.CSRF,
	}))
}
