package handlers

import (
	"context"

	"github.com/gofiber/fiber/v3"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/auth"
	mailc "github.com/gatehouse/gatehouse/components/mail"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
)

// resetRequestSubmit mails a reset link. The answer is the same page with
// the same status whether or not an account uses the address, and both
// paths do the same work (a token made, a mail rendered, a transaction
// committed; delivery happens in the background), so neither the page nor
// its timing tells who has an account. An unknown address gets a mail
// saying so, as django-allauth does, so its owner learns why no link came.
func (s *Server) resetRequestSubmit(c fiber.Ctx) error {
	f := forms.ParseEmail(formGetter(c))
	if errs := f.Validate(); errs.Any() {
		p := s.props(c, "Reset your password")
		return s.page(c, fiber.StatusUnprocessableEntity, p, pages.ResetRequest(pages.EmailForm{Email: f.Email, Errors: errs}, p.CSRF))
	}
	ctx := c.Context()
	ip := clientIP(c)
	key := auth.EmailKey(f.Email)
	// Counted for every address, known or not, or the limit would tell.
	limits := []counter{
		{"rl:reset:ip:" + ip, auth.ResetLimits.IP},
		{"rl:reset:addr:" + key, auth.ResetLimits.Address},
	}
	// Counted before the work, so parallel requests cannot all pass.
	if wait, blocked, _, err := s.reserve(ctx, limits); err != nil {
		return err
	} else if blocked {
		s.event(c, "rate_limited", 0, f.Email, "password_reset")
		s.Log.Warn("password reset refused: rate limit", "email", f.Email, "ip", ip)
		return s.tooMany(c, wait)
	}

	u, err := s.users.ByEmailKey(ctx, key)
	if err != nil && !models.IsNotFound(err) {
		return err
	}
	var uid int64
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if u == nil || !u.IsActive {
			// The same work as a real link: a token made, its statement run
			// (inserting nothing), a mail rendered and queued.
			_, selector, hash := auth.NewKeyedSplitToken(s.SecretKey, "unused")
			now := s.Now()
			err := models.Tokens{DB: tx}.CreateNothing(ctx, &models.Token{Kind: models.TokenPasswordReset, Selector: selector,
				VerifierHash: hash, Email: f.Email, CreatedAt: now, ExpiresAt: now.Add(resetTTL)})
			if err != nil || u != nil {
				return err // a deactivated account gets nothing
			}
			return s.queueMail(ctx, tx, mailc.PasswordResetUnknown(f.Email, s.link("/register")))
		}
		uid = u.ID
		return s.queueLink(ctx, tx, models.TokenPasswordReset, u, u.Email, resetTTL, "/password-reset/",
			func(link string) mailc.Mail { return mailc.PasswordReset(u.Email, u.Username, link) })
	})
	if err != nil {
		return err
	}
	s.wakeMailer()
	s.event(c, "password_reset_requested", uid, f.Email, "")
	s.Log.Info("password reset requested", "email", f.Email, "user_id", uid, "ip", ip)
	if !isHTMX(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/password-reset/sent")
	}
	c.Set("HX-Push-Url", "/password-reset/sent")
	return s.resetSentShow(c)
}

// resetSentShow is the answer to every reset request.
func (s *Server) resetSentShow(c fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, s.props(c, "Check your inbox"), pages.ResetSent())
}
