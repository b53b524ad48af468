package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
)

// passwordSubmit changes the password after checking the current one, ends
// every other session of the user and keeps this one under a new id.
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
	if err := s.users.SetPasswordHash(ctx, u.ID, hash, true); err != nil {
		return err
	}
	if _, err := s.endSessions(ctx, u.ID, currentSessionID(c)); err != nil {
		return err
	}
	if err := s.rotateSession(c, u.ID); err != nil {
		return err
	}
	s.event(c, "password_changed", u.ID, u.Username, "")
	s.Log.Info("password changed", "user", u.Username, "user_id", u.ID, "ip", clientIP(c))
	s.flash(c, "password_changed")
	if !isHTMX(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/account")
	}
	c.Set("HX-Push-Url", "/account")
	return s.accountShow(c)
}
