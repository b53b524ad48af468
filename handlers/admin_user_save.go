package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/forms"
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
	ch, err := s.Account.SaveUser(c.Context(), actor(c), id, account.UserEdit{
		IsActive: f.IsActive, IsStaff: f.IsStaff, IsSuperuser: f.IsSuperuser, GroupIDs: f.GroupIDs, Perms: f.Perms,
	}, s.client(c))
	if account.IsNotFound(err) {
		return s.notFound(c)
	}
	if r, ok := adminRefusal(err, adminSave); ok {
		v, err := s.userView(c, id)
		if err != nil {
			return err
		}
		v.Alert, v.Edit = r.Msg, userEditView(f)
		return s.renderUser(c, r.Status, v)
	}
	if err != nil {
		return err
	}
	flash := "no_changes"
	if ch.Any() {
		flash = "saved"
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
