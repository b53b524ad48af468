package handlers

import (
	"context"

	"github.com/gofiber/fiber/v3"
	"github.com/uptrace/bun"

	mailc "github.com/gatehouse/gatehouse/components/mail"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
)

// passwordSubmit changes the password after checking the current one, ends
// every other session of the user, keeps this one under a new id and tells
// the user by mail. The current password is the re-authentication here, so
// the route has no mustReauth (it would ask twice); a correct one restarts
// the re-authentication window.
func (s *Server) passwordSubmit(c fiber.Ctx) error {
	v := viewerOf(c)
	u := v.User
	f := forms.ParsePasswordChange(formGetter(c))
	errs := f.Validate(u.Username, u.Email)
	ctx := c.Context()
	if f.Current != "" {
		ok, _, err := s.Hasher.Verify(ctx, u.PasswordHash, f.Current)
		if err != nil || !ok {
			errs["current_password"] = "Your current password is not correct."
		}
	}
	if errs.Any() {
		p := s.props(c, "Change password")
		return s.page(c, fiber.StatusUnprocessableEntity, p, pages.PasswordChange(pages.PasswordForm{Errors: errs}, p.CSRF))
	}
	hash, err := s.Hasher.Hash(ctx, f.Password)
	if err != nil {
		return err
	}
	now := s.Now()
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := (models.Users{DB: tx}).SetPasswordHash(ctx, u.ID, hash, now); err != nil {
			return err
		}
		if err := (models.Tokens{DB: tx}).Revoke(ctx, u.ID, now, models.TokenPasswordReset); err != nil {
			return err
		}
		return s.queueMail(ctx, tx, mailc.PasswordChanged(u.Email, u.Username, mailTime(now), clientIP(c), s.link("/password-reset")))
	})
	if err != nil {
		return err
	}
	s.wakeMailer()
	if _, err := s.Sessions.EndAll(ctx, u.ID, s.Sessions.CurrentID(c)); err != nil {
		return err
	}
	if err := s.Sessions.Rotate(c, u.ID); err != nil {
		return err
	}
	s.Sessions.MarkAuthenticated(c)
	s.event(c, "password_changed", u.ID, u.Username, "")
	s.Log.Info("password changed", "user", u.Username, "user_id", u.ID, "ip", clientIP(c))
	s.flash(c, "password_changed")
	if !isHTMX(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/account")
	}
	c.Set("HX-Push-Url", "/account")
	return s.accountShow(c)
}
