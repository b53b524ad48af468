package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
)

// emailSubmit starts an email change (account.RequestEmailChange), behind
// mustReauth.
func (s *Server) emailSubmit(c fiber.Ctx) error {
	u := viewerOf(c).User
	f := forms.ParseEmail(formGetter(c))
	if errs := f.Validate(); errs.Any() {
		return s.emailPage(c, fiber.StatusUnprocessableEntity, pages.EmailForm{Email: f.Email, Errors: errs})
	}
	err := s.Account.RequestEmailChange(c.Context(), u, f.Email, s.client(c))
	var rl *account.RateLimitedError
	switch {
	case errors.Is(err, account.ErrEmailTaken):
		return s.emailPage(c, fiber.StatusUnprocessableEntity, pages.EmailForm{Email: f.Email, Errors: forms.Errors{"email": msgEmailInUse}})
	case errors.Is(err, account.ErrSameEmail):
		return s.emailPage(c, fiber.StatusUnprocessableEntity, pages.EmailForm{Email: f.Email, Errors: forms.Errors{"email": msgSameEmail}})
	case errors.As(err, &rl):
		secs := auth.RetryAfterSeconds(rl.RetryAfter)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		return s.emailPage(c, fiber.StatusTooManyRequests, pages.EmailForm{Email: f.Email,
			Alert: "We sent a confirmation link less than 3 minutes ago. Try again in " + humanWait(secs) + "."})
	case err != nil:
		return err
	}
	return s.afterAccountChange(c, "email_sent")
}
