package handlers

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/models"
)

// resendPurpose signs the user id the "send a new link" form of the
// unverified page carries: only someone who just typed the password gets
// one, and it lasts an hour.
const resendPurpose = "verify-resend"

// verifyResend sends a new verification link: for the signed-in user (the
// account page), or for the user named by the signed handle of the
// unverified page. At most one per mailCooldown.
func (s *Server) verifyResend(c fiber.Ctx) error {
	ctx := c.Context()
	v := viewerOf(c)
	var u *models.User
	if v != nil {
		u = v.User
	} else {
		id, ok := auth.Unsign(s.SecretKey, resendPurpose, c.FormValue("handle"), s.Now())
		uid, err := strconv.ParseInt(id, 10, 64)
		if ok && err == nil {
			u, err = s.users.ByID(ctx, uid)
			if err != nil && !models.IsNotFound(err) {
				return err
			}
		}
		if u == nil || !u.IsActive {
			return s.problem(c, fiber.StatusBadRequest, "Form expired",
				"This form has expired. Sign in again to get a new confirmation link.")
		}
	}
	if u.EmailVerified {
		if v != nil {
			return s.afterAccountChange(c, "email_verified")
		}
		return s.page(c, fiber.StatusOK, s.props(c, "Email address confirmed"), pages.EmailConfirmed(u.Email, false, false))
	}
	last, err := models.Tokens{DB: s.DB}.LastCreated(ctx, u.ID, models.TokenVerifyEmail)
	if err != nil {
		return err
	}
	if wait := last.Add(mailCooldown).Sub(s.Now()); !last.IsZero() && wait > 0 {
		s.Log.Info("verification mail refused: too soon", "user_id", u.ID, "ip", clientIP(c))
		if v != nil {
			return s.tooMany(c, wait)
		}
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(auth.RetryAfterSeconds(wait)))
		return s.unverifiedView(c, u, fiber.StatusTooManyRequests, "",
			"We sent a link less than 3 minutes ago. Check your inbox, or try again in "+humanWait(auth.RetryAfterSeconds(wait))+".")
	}
	if err := s.sendVerification(ctx, u); err != nil {
		return err
	}
	s.event(c, "verification_sent", u.ID, u.Username, u.Email)
	s.Log.Info("verification mail queued", "user", u.Username, "user_id", u.ID, "ip", clientIP(c))
	if v != nil {
		return s.afterAccountChange(c, "email_sent")
	}
	return s.unverifiedView(c, u, fiber.StatusOK, "A new link is on its way to "+u.Email+".", "")
}

// sendVerification makes a verification link for u's address and queues
// its mail, in one transaction.
func (s *Server) sendVerification(ctx context.Context, u *models.User) error {
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return s.queueVerification(ctx, tx, u)
	})
	if err != nil {
		return err
	}
	s.wakeMailer()
	return nil
}

// afterAccountChange ends a successful POST from the account's pages: 303
// to /account with a flash, or for htmx the account page in place.
func (s *Server) afterAccountChange(c fiber.Ctx, flash string) error {
	s.flash(c, flash)
	if !isHTMX(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/account")
	}
	c.Set("HX-Push-Url", "/account")
	c.Set("HX-Retarget", "#main")
	c.Set("HX-Reswap", "innerHTML")
	return s.accountShow(c)
}

// handleFor signs u's id for the unverified page's form.
func (s *Server) handleFor(u *models.User) string {
	return auth.Sign(s.SecretKey, resendPurpose, strconv.FormatInt(u.ID, 10), s.Now().Add(time.Hour))
}
