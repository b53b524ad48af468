package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/admin"
	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
)

// adminGroupCreate creates a group and opens it to choose its permissions.
func (s *Server) adminGroupCreate(c fiber.Ctx) error {
	f := forms.ParseGroup(formGetter(c), formValues(c))
	errs := f.Validate()
	var g *models.Group
	if !errs.Any() {
		var err error
		g, err = models.Groups{DB: s.DB}.Create(c.Context(), f.Name)
		switch {
		case errors.Is(err, models.ErrGroupTaken):
			errs["name"] = "A group with this name already exists."
		case err != nil:
			return err
		}
	}
	if errs.Any() {
		v, err := s.groupListView(c)
		if err != nil {
			return err
		}
		v.Name, v.Errors = f.Name, errs
		return s.page(c, fiber.StatusUnprocessableEntity, s.adminProps(c, "Groups"), admin.GroupList(v))
	}
	s.event(c, "group_created", 0, "", g.Name)
	s.Log.Info("group created", "group", g.Name, "group_id", g.ID, "by", viewerOf(c).User.Username, "ip", clientIP(c))
	s.flash(c, "group_created")
	return seeOther(c, "/admin/groups/"+itoa(g.ID))
}
