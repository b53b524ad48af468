package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/admin"
	"github.com/gatehouse/gatehouse/forms"
)

// adminGroupCreate creates a group and opens it to choose its permissions.
func (s *Server) adminGroupCreate(c fiber.Ctx) error {
	f := forms.ParseGroup(formGetter(c), formValues(c))
	errs := f.Validate()
	if !errs.Any() {
		g, err := s.Account.CreateGroup(c.Context(), f.Name, s.client(c))
		if err == nil {
			s.flash(c, "group_created")
			return seeOther(c, "/admin/groups/"+itoa(g.ID))
		}
		r, ok := adminRefusal(err, adminGroup)
		if !ok {
			return err
		}
		errs["name"] = r.Msg
	}
	v, err := s.groupListView(c)
	if err != nil {
		return err
	}
	v.Name, v.Errors = f.Name, errs
	return s.page(c, fiber.StatusUnprocessableEntity, s.adminProps(c, "Groups"), admin.GroupList(v))
}
