package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/components/pages"
)

// verifyEmail opens a verification link (account.VerifyEmail).
func (s *Server) verifyEmail(c fiber.Ctx) error {
	res, err := s.Account.VerifyEmail(c.Context(), c.Params("token"), s.client(c))
	v := viewerOf(c)
	if errors.Is(err, account.ErrEmailTaken) {
		return s.page(c, fiber.StatusConflict, s.props(c, "Address already in use"), pages.EmailTaken(res.Email))
	}
	if err != nil {
		if v != nil {
			return s.linkFailed(c, err, "/account", "Go to your account")
		}
		return s.linkFailed(c, err, "/login", "Sign in to get a new link")
	}
	if v != nil && v.User.ID == res.UserID {
		v.User.Email, v.User.EmailVerified = res.Email, true
	}
	return s.page(c, fiber.StatusOK, s.props(c, "Email address confirmed"), pages.EmailConfirmed(res.Email, res.Changed, v != nil))
}
