package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/session"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/auth"
	mailc "github.com/gatehouse/gatehouse/components/mail"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
)

// resetTokenSubmit sets a new password through a reset link. In one
// transaction: the link is used up (of two racing requests one wins), the
// password changes (which kills every other reset link, see tokenBinding),
// the address counts as verified (the link proved it), and the "password
// changed" mail is queued. Then every session of the user ends.
func (s *Server) resetTokenSubmit(c fiber.Ctx) error {
	ctx := c.Context()
	raw := c.Params("token")
	tok, u, state, err := s.openLink(ctx, raw, models.TokenPasswordReset)
	if err != nil {
		return err
	}
	if state == linkOK && !u.IsActive {
		state = linkDead
	}
	if state != linkOK {
		return s.linkInvalid(c, state, "/password-reset", "Send a new reset link")
	}
	f := forms.ParseSetPassword(formGetter(c))
	if errs := f.Validate(u.Username, u.Email); errs.Any() {
		p := s.props(c, "Choose a new password")
		view := pages.ResetForm{Username: u.Username, Email: u.Email, Password: f.Password, Errors: errs}
		return s.page(c, fiber.StatusUnprocessableEntity, p, pages.ResetPassword(view, "/password-reset/"+raw, p.CSRF))
	}
	hash, err := s.Hasher.Hash(ctx, f.Password)
	if err != nil {
		return err
	}
	now := s.Now()
	ip := clientIP(c)
	used := false
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		tokens, users := models.Tokens{DB: tx}, models.Users{DB: tx}
		ok, err := tokens.Use(ctx, tok.ID, now)
		if err != nil || !ok {
			return err
		}
		used = true
		if err := users.SetPasswordHash(ctx, u.ID, hash, now); err != nil {
			return err
		}
		if err := tokens.Revoke(ctx, u.ID, now, models.TokenPasswordReset); err != nil {
			return err
		}
		if auth.EmailKey(tok.Email) == u.EmailKey && !u.EmailVerified {
			if _, err := users.MarkEmailVerified(ctx, u.ID, u.EmailKey); err != nil {
				return err
			}
		}
		return s.queueMail(ctx, tx, mailc.PasswordChanged(u.Email, u.Username, mailTime(now), ip, s.link("/password-reset")))
	})
	if err != nil {
		return err
	}
	if !used {
		return s.linkInvalid(c, linkDead, "/password-reset", "Send a new reset link")
	}
	s.wakeMailer()

	// Every session ends, this one too if it is the user's: the one in
	// this request through the middleware (which would otherwise save it
	// again), the others in the store.
	if v := viewerOf(c); v != nil && v.User.ID == u.ID {
		if m := session.FromContext(c); m != nil {
			if err := s.endSession(c, u.ID); err != nil {
				return err
			}
		}
	}
	n, err := s.Sessions.EndAll(ctx, u.ID, "")
	if err != nil {
		return err
	}
	s.event(c, "password_reset", u.ID, u.Username, "")
	s.Log.Info("password reset", "user", u.Username, "user_id", u.ID, "ip", ip, "sessions_ended", n)
	s.flash(c, "password_reset")
	if !isHTMX(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/login")
	}
	c.Set("HX-Push-Url", "/login")
	return s.renderPath(c, "/login")
}

// mailTime is how mails state a moment.
func mailTime(t time.Time) string {
	return t.UTC().Format("2 January 2006 at 15:04 UTC")
}
