package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
)

// adminUserSave saves a user's flags, groups and direct permissions. The
// change is audited; a deactivated user is signed out everywhere; new
// grants apply from the user's next request.
func (s *Server) adminUserSave(c fiber.Ctx) error {
	id, ok := paramID(c)
	if !ok {
		return s.notFound(c)
	}
	f := forms.ParseUserEdit(formGetter(c), formValues(c))
	ctx := c.Context()
	ch, err := s.users.ApplyEdit(ctx, actor(c), id, models.UserEdit{
		IsActive: f.IsActive, IsStaff: f.IsStaff, IsSuperuser: f.IsSuperuser, GroupIDs: f.GroupIDs, Perms: f.Perms,
	})
	refuse := func(status int, msg string) error {
		v, err := s.userView(c, id)
		if err != nil {
			return err
		}
		v.Alert, v.Edit = msg, &f
		return s.renderUser(c, status, v)
	}
	switch {
	case models.IsNotFound(err):
		return s.notFound(c)
	case errors.Is(err, models.ErrSelfDeactivate):
		return refuse(fiber.StatusConflict, "You cannot deactivate your own account. Nothing was saved.")
	case errors.Is(err, models.ErrLastSuperuser):
		return refuse(fiber.StatusConflict, "This is the last active superuser: it must stay active and a superuser. Nothing was saved.")
	case errors.Is(err, models.ErrSuperuserOnly):
		return refuse(fiber.StatusForbidden, "Only a superuser can change a superuser's account or make someone a superuser. Nothing was saved.")
	case err != nil:
		return err
	}
	flash := "no_changes"
	if ch.Any() {
		flash = "saved"
		u, err := s.users.ByID(ctx, id)
		if err != nil {
			return err
		}
		if ch.Deactivated {
			if _, err := s.Sessions.EndAll(ctx, id, ""); err != nil {
				return err
			}
		}
		s.event(c, "user_changed", id, u.Username, ch.String())
		s.Log.Info("user changed", "user", u.Username, "user_id", id, "by", viewerOf(c).User.Username,
			"changes", ch.String(), "ip", clientIP(c))
	}
	return s.afterUserChange(c, id, flash)
}

// afterUserChange ends a successful change on the user page with a flash
// message: 303 back to it, or for htmx the page again.
func (s *Server) afterUserChange(c fiber.Ctx, id int64, flash string) error {
	s.flash(c, flash)
	if !isHTMX(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/admin/users/" + itoa(id))
	}
	v, err := s.userView(c, id)
	if err != nil {
		return err
	}
	return s.renderUser(c, fiber.StatusOK, v)
}
