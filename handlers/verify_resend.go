package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
)

// verifyResend sends a new verification link: for the signed-in user (the
// account page), or for the user named by the signed handle of the
// unverified page.
func (s *Server) verifyResend(c fiber.Ctx) error {
	ctx := c.Context()
	v := viewerOf(c)
	var u *auth.User
	if v != nil {
		u = v.User
	} else {
		var err error
		u, err = s.Account.UserByResendHandle(ctx, formValue(c, "handle"))
		if account.IsNotFound(err) {
			return s.problem(c, fiber.StatusBadRequest, "Form expired",
				"This form has expired. Sign in again to get a new confirmation link.")
		}
		if err != nil {
			return err
		}
	}
	err := s.Account.ResendVerification(ctx, u, s.client(c))
	var rl *account.RateLimitedError
	switch {
	case errors.Is(err, account.ErrAlreadyVerified) && v != nil:
		return s.afterAccountChange(c, "email_verified")
	case errors.Is(err, account.ErrAlreadyVerified):
		return s.page(c, fiber.StatusOK, s.props(c, "Email address confirmed"), pages.EmailConfirmed(u.Email, false, false))
	case errors.As(err, &rl) && v == nil:
		secs := auth.RetryAfterSeconds(rl.RetryAfter)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		return s.unverifiedView(c, u, fiber.StatusTooManyRequests, "",
			"We sent a link less than 3 minutes ago. Check your inbox, or try again in "+humanWait(secs)+".")
	case err != nil:
		return err
	}
	if v != nil {
		return s.afterAccountChange(c, "email_sent")
	}
	return s.unverifiedView(c, u, fiber.StatusOK, "A new link is on its way to "+u.Email+".", "")
}

// afterAccountChange ends a successful POST from the account's pages: 303
// to /account with a flash, or for htmx the account page in place.
func (s *Server) afterAccountChange(c fiber.Ctx, flash string) error {
	s.flash(c, flash)
	return s.navigate(c, "/account", s.accountShow)
}
