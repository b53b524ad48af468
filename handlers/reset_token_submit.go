package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
)

// resetTokenSubmit sets a new password through a reset link posted to the
// link's own address (CONTRACT §2).
func (s *Server) resetTokenSubmit(c fiber.Ctx) error {
	raw := c.Params("token")
	return s.resetWith(c, raw, "/password-reset/"+raw, nil)
}

// resetWith sets a new password with the reset token raw
// (account.Reset), which ends every session of the user, this one too.
// The form posted to action; done runs once the password is set.
func (s *Server) resetWith(c fiber.Ctx, raw, action string, done func() error) error {
	ctx := c.Context()
	u, err := s.Account.OpenReset(ctx, raw)
	if err != nil {
		return s.linkFailed(c, err, "/password-reset", "Send a new reset link")
	}
	f := forms.ParseSetPassword(formGetter(c))
	if errs := f.Validate(u.Username, u.Email); errs.Any() {
		p := s.props(c, "Choose a new password")
		view := pages.ResetForm{Username: u.Username, Email: u.Email, Password: f.Password, Errors: errs}
		return s.page(c, fiber.StatusUnprocessableEntity, p, pages.ResetPassword(view, action, p.CSRF))
	}
	if _, err := s.Account.Reset(ctx, raw, f.Password, s.client(c)); err != nil {
		return s.linkFailed(c, err, "/password-reset", "Send a new reset link")
	}
	if done != nil {
		if err := done(); err != nil {
			return err
		}
	}
	// The middleware would save this session again: end it here when it is
	// the user's.
	if v := viewerOf(c); v != nil && v.User.ID == u.ID {
		if err := s.endSession(c, u.ID); err != nil {
			return err
		}
	}
	s.flash(c, "password_reset")
	return s.navigate(c, "/login", func(c fiber.Ctx) error { return s.renderPath(c, "/login") })
}
