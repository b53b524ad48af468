package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/forms"
)

// adminGroupSave renames a group and replaces its permissions; members
// hold the new set from their next request.
func (s *Server) adminGroupSave(c fiber.Ctx) error {
	id, ok := paramID(c)
	if !ok {
		return s.notFound(c)
	}
	f := forms.ParseGroup(formGetter(c), formValues(c))
	errs := f.Validate()
	if !errs.Any() {
		ch, err := s.Account.SaveGroup(c.Context(), actor(c), id, f.Name, f.Perms, s.client(c))
		if account.IsNotFound(err) {
			return s.notFound(c)
		}
		if err == nil {
			s.flash(c, "no_changes")
			if ch.Any() {
				s.flash(c, "saved")
			}
			return seeOther(c, "/admin/groups/"+itoa(id))
		}
		r, ok := adminRefusal(err, adminGroup)
		if !ok {
			return err
		}
		if r.Status == fiber.StatusForbidden {
			return s.problem(c, r.Status, r.Title, r.Msg)
		}
		errs["name"] = r.Msg
	}
	v, err := s.groupView(c, id)
	if account.IsNotFound(err) {
		return s.notFound(c)
	}
	if err != nil {
		return err
	}
	v.Form, v.Errors = groupFormView(f), errs
	return s.renderGroup(c, fiber.StatusUnprocessableEntity, v)
}
