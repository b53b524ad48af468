package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/forms"
)

// adminUserPassword sets a user's password under the same rules as sign-up.
// The user is told by mail and their sessions end (the admin's own, if it
// is theirs, is kept under a new id); outstanding reset links die with the
// old password.
func (s *Server) adminUserPassword(c fiber.Ctx) error {
	id, ok := paramID(c)
	if !ok {
		return s.notFound(c)
	}
	v, err := s.userView(c, id)
	if account.IsNotFound(err) {
		return s.notFound(c)
	}
	if err != nil {
		return err
	}
	f := forms.ParseSetPassword(formGetter(c))
	if errs := f.Validate(v.User.Username, v.User.Email); errs.Any() {
		v.PwErrors = errs
		return s.renderUser(c, fiber.StatusUnprocessableEntity, v)
	}
	self := viewerOf(c).User.ID == id
	keep := ""
	if self {
		keep = s.Sessions.CurrentID(c)
	}
	err = s.Account.SetUserPassword(c.Context(), actor(c), id, f.Password, keep, s.client(c))
	if account.IsNotFound(err) {
		return s.notFound(c)
	}
	if r, ok := adminRefusal(err, adminPassword); ok {
		v.Alert = r.Msg
		return s.renderUser(c, r.Status, v)
	}
	if err != nil {
		return err
	}
	if self {
		if err := s.Sessions.Rotate(c, id); err != nil {
			return err
		}
	}
	return s.afterUserChange(c, id, "password_set")
}
