package handlers

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
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
	var ch models.GroupChange
	if !errs.Any() {
		var err error
		ch, err = models.Groups{DB: s.DB}.Update(c.Context(), id, f.Name, f.Perms)
		switch {
		case models.IsNotFound(err):
			return s.notFound(c)
		case errors.Is(err, models.ErrGroupTaken):
			errs["name"] = "A group with this name already exists."
		case err != nil:
			return err
		}
	}
	if errs.Any() {
		v, err := s.groupView(c, id)
		if models.IsNotFound(err) {
			return s.notFound(c)
		}
		if err != nil {
			return err
		}
		v.Form, v.Errors = &f, errs
		return s.renderGroup(c, fiber.StatusUnprocessableEntity, v)
	}
	s.flash(c, "no_changes")
	if ch.Any() {
		s.flash(c, "saved")
		detail := groupChangeText(ch)
		s.event(c, "group_changed", 0, "", detail)
		s.Log.Info("group changed", "group_id", id, "changes", detail, "by", viewerOf(c).User.Username, "ip", clientIP(c))
	}
	return seeOther(c, "/admin/groups/"+itoa(id))
}

func groupChangeText(ch models.GroupChange) string {
	parts := []string{ch.NewName + ":"}
	if ch.OldName != ch.NewName {
		parts = append(parts, "renamed from "+ch.OldName+";")
	}
	if len(ch.Added) > 0 {
		parts = append(parts, "permissions + "+strings.Join(ch.Added, ", ")+";")
	}
	if len(ch.Removed) > 0 {
		parts = append(parts, "permissions − "+strings.Join(ch.Removed, ", ")+";")
	}
	return strings.TrimSuffix(strings.Join(parts, " "), ";")
}
