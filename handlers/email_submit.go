package handlers

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v3"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/auth"
	mailc "github.com/gatehouse/gatehouse/components/mail"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
)

// emailSubmit starts an email change (behind mustReauth): a link goes to
// the new address, and the account keeps its old address until the link
// is opened (verifyEmail). A new request replaces a pending one.
func (s *Server) emailSubmit(c fiber.Ctx) error {
	ctx := c.Context()
	u := viewerOf(c).User
	f := forms.ParseEmail(formGetter(c))
	errs := f.Validate()
	if !errs.Any() {
		key := auth.EmailKey(f.Email)
		taken, err := s.users.EmailTaken(ctx, key)
		switch {
		case err != nil:
			return err
		case key == u.EmailKey:
			errs["email"] = "This is already your email address."
		case taken:
			errs["email"] = "An account with this email already exists."
		}
	}
	if errs.Any() {
		return s.emailPage(c, fiber.StatusUnprocessableEntity, pages.EmailForm{Email: f.Email, Errors: errs})
	}
	last, err := models.Tokens{DB: s.DB}.LastCreated(ctx, u.ID, models.TokenEmailChange)
	if err != nil {
		return err
	}
	if wait := last.Add(mailCooldown).Sub(s.Now()); !last.IsZero() && wait > 0 {
		secs := auth.RetryAfterSeconds(wait)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		return s.emailPage(c, fiber.StatusTooManyRequests, pages.EmailForm{Email: f.Email,
			Alert: "We sent a confirmation link less than 3 minutes ago. Try again in " + humanWait(secs) + "."})
	}
	now := s.Now()
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := (models.Tokens{DB: tx}).Revoke(ctx, u.ID, now, models.TokenEmailChange); err != nil {
			return err
		}
		return s.queueLink(ctx, tx, models.TokenEmailChange, u, f.Email, verifyTTL, "/verify-email/",
			func(link string) mailc.Mail { return mailc.ConfirmNewEmail(f.Email, u.Username, link) })
	})
	if err != nil {
		return err
	}
	s.wakeMailer()
	s.event(c, "email_change_requested", u.ID, u.Username, f.Email)
	s.Log.Info("email change requested", "user", u.Username, "user_id", u.ID, "ip", clientIP(c))
	return s.afterAccountChange(c, "email_sent")
}
