package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/components/pages"
)

// verifyEmailShow opens a verification link (account.OpenVerification):
// the address and a button that confirms it, or that it is already
// confirmed. It changes nothing, so a mail scanner's GET confirms nothing.
func (s *Server) verifyEmailShow(c fiber.Ctx) error {
	raw := c.Params("token")
	res, err := s.Account.OpenVerification(c.Context(), raw)
	v := viewerOf(c)
	if err != nil {
		return s.verifyFailed(c, err)
	}
	if res.Already {
		return s.page(c, fiber.StatusOK, s.props(c, "Email address already confirmed"), pages.EmailAlreadyConfirmed(res.Email, v != nil))
	}
	p := s.props(c, "Confirm your email address")
	return s.page(c, fiber.StatusOK, p, pages.VerifyConfirm(res.Email, res.Change, "/verify-email/"+raw, p.CSRF))
}

// verifyEmail confirms the address of a verification link
// (account.VerifyEmail), the POST of its page.
func (s *Server) verifyEmail(c fiber.Ctx) error {
	res, err := s.Account.VerifyEmail(c.Context(), c.Params("token"), s.client(c))
	v := viewerOf(c)
	if errors.Is(err, account.ErrEmailTaken) {
		return s.page(c, fiber.StatusConflict, s.props(c, "Address already in use"), pages.EmailTaken(res.Email))
	}
	if err != nil {
		return s.verifyFailed(c, err)
	}
	if res.Already {
		return s.page(c, fiber.StatusOK, s.props(c, "Email address already confirmed"), pages.EmailAlreadyConfirmed(res.Email, v != nil))
	}
	if v != nil && v.User.ID == res.UserID {
		v.User.Email, v.User.EmailVerified = res.Email, true
	}
	return s.page(c, fiber.StatusOK, s.props(c, "Email address confirmed"), pages.EmailConfirmed(res.Email, res.Changed, v != nil))
}

// verifyFailed answers a verification link that cannot be used: 404 or 410.
func (s *Server) verifyFailed(c fiber.Ctx, err error) error {
	if viewerOf(c) != nil {
		return s.linkFailed(c, err, "/account", "Go to your account")
	}
	return s.linkFailed(c, err, "/login", "Sign in to get a new link")
}
