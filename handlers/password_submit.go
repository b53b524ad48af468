package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
)

// passwordSubmit changes the password (account.ChangePassword), then keeps
// this session under a new id. The current password is the
// re-authentication here, so the route has no mustReauth (it would ask
// twice); a correct one restarts the re-authentication window.
func (s *Server) passwordSubmit(c fiber.Ctx) error {
	u := viewerOf(c).User
	f := forms.ParsePasswordChange(formGetter(c))
	errs := f.Validate(u.Username, u.Email)
	if errs.Any() {
		if f.Current != "" {
			// Counted like any check of the current password.
			err := s.Account.CheckCurrentPassword(c.Context(), u, f.Current, s.client(c))
			if errors.Is(err, account.ErrWrongPassword) {
				errs["current_password"] = msgWrongCurrent
			} else if err != nil {
				return err
			}
		}
		return s.passwordFailed(c, errs)
	}
	err := s.Account.ChangePassword(c.Context(), u, f.Current, f.Password, s.Sessions.CurrentID(c), s.client(c))
	if errors.Is(err, account.ErrWrongPassword) {
		errs["current_password"] = msgWrongCurrent
		return s.passwordFailed(c, errs)
	}
	if err != nil {
		return err
	}
	if err := s.Sessions.Rotate(c, u.ID); err != nil {
		return err
	}
	s.Sessions.MarkAuthenticated(c)
	s.flash(c, "password_changed")
	return s.navigate(c, "/account", s.accountShow)
}

func (s *Server) passwordFailed(c fiber.Ctx, errs forms.Errors) error {
	p := s.props(c, "Change password")
	return s.page(c, fiber.StatusUnprocessableEntity, p, pages.PasswordChange(pages.PasswordForm{Errors: errs}, p.CSRF))
}
