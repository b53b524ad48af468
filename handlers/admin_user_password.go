package handlers

import (
	"context"

	"github.com/gofiber/fiber/v3"
	"github.com/uptrace/bun"

	mailc "github.com/gatehouse/gatehouse/components/mail"
	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
)

// adminUserPassword sets a user's password under the same rules as sign-up.
// The user's sessions end (the admin's own, if it is theirs, is kept under
// a new id) and outstanding reset links die with the old password.
func (s *Server) adminUserPassword(c fiber.Ctx) error {
	id, ok := paramID(c)
	if !ok {
		return s.notFound(c)
	}
	ctx := c.Context()
	v, err := s.userView(c, id)
	if models.IsNotFound(err) {
		return s.notFound(c)
	}
	if err != nil {
		return err
	}
	if v.User.IsSuperuser && !actor(c).IsSuperuser {
		v.Alert = "Only a superuser can set a superuser's password. Nothing was changed."
		return s.renderUser(c, fiber.StatusForbidden, v)
	}
	f := forms.ParseSetPassword(formGetter(c))
	if errs := f.Validate(v.User.Username, v.User.Email); errs.Any() {
		v.PwErrors = errs
		return s.renderUser(c, fiber.StatusUnprocessableEntity, v)
	}
	hash, err := s.Hasher.Hash(ctx, f.Password)
	if err != nil {
		return err
	}
	// The user is told by mail, as after a change or reset of their own.
	now := s.Now()
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := (models.Users{DB: tx}).SetPasswordHash(ctx, id, hash, s.Now()); err != nil {
			return err
		}
		return s.queueMail(ctx, tx, mailc.PasswordChanged(v.User.Email, v.User.Username, mailTime(now), clientIP(c), s.link("/password-reset")))
	})
	if err != nil {
		return err
	}
	s.wakeMailer()
	self := viewerOf(c).User.ID == id
	keep := ""
	if self {
		keep = s.Sessions.CurrentID(c)
	}
	if _, err := s.Sessions.EndAll(ctx, id, keep); err != nil {
		return err
	}
	if self {
		if err := s.Sessions.Rotate(c, id); err != nil {
			return err
		}
	}
	s.event(c, "user_password_set", id, v.User.Username, "")
	s.Log.Info("password set by admin", "user", v.User.Username, "user_id", id, "by", viewerOf(c).User.Username, "ip", clientIP(c))
	return s.afterUserChange(c, id, "password_set")
}
