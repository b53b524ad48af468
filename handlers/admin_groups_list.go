package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/admin"
)

// adminGroupsList lists the groups and their permissions.
func (s *Server) adminGroupsList(c fiber.Ctx) error {
	v, err := s.groupListView(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, s.adminProps(c, "Groups"), admin.GroupList(v))
}

func (s *Server) groupListView(c fiber.Ctx) (admin.GroupListView, error) {
	groups, err := s.Account.Groups(c.Context())
	if err != nil {
		return admin.GroupListView{}, err
	}
	return admin.GroupListView{Groups: groupRowsView(groups), Access: access(c), CSRF: csrfToken(c)}, nil
}
