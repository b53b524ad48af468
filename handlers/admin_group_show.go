package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/components/admin"
)

// adminGroupShow is one group's page; read-only without groups.change.
func (s *Server) adminGroupShow(c fiber.Ctx) error {
	id, ok := paramID(c)
	if !ok {
		return s.notFound(c)
	}
	v, err := s.groupView(c, id)
	if account.IsNotFound(err) {
		return s.notFound(c)
	}
	if err != nil {
		return err
	}
	return s.renderGroup(c, fiber.StatusOK, v)
}

func (s *Server) groupView(c fiber.Ctx, id int64) (admin.GroupView, error) {
	g, err := s.Account.Group(c.Context(), id)
	if err != nil {
		return admin.GroupView{}, err
	}
	perms, err := s.Account.Permissions(c.Context())
	if err != nil {
		return admin.GroupView{}, err
	}
	return admin.GroupView{Group: groupView(g), Perms: permsView(perms), Access: access(c), CSRF: csrfToken(c)}, nil
}

func (s *Server) renderGroup(c fiber.Ctx, status int, v admin.GroupView) error {
	return s.page(c, status, s.adminProps(c, v.Group.Name), admin.Group(v))
}
