package handlers

import (
	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/csrf"

	"github.com/gatehouse/gatehouse/components/admin"
	"github.com/gatehouse/gatehouse/models"
)

// adminGroupShow is one group's page; read-only without groups.change.
func (s *Server) adminGroupShow(c fiber.Ctx) error {
	id, ok := paramID(c)
	if !ok {
		return s.notFound(c)
	}
	v, err := s.groupView(c, id)
	if models.IsNotFound(err) {
		return s.notFound(c)
	}
	if err != nil {
		return err
	}
	return s.renderGroup(c, fiber.StatusOK, v)
}

func (s *Server) groupView(c fiber.Ctx, id int64) (admin.GroupView, error) {
	g, err := models.Groups{DB: s.DB}.ByID(c.Context(), id)
	if err != nil {
		return admin.GroupView{}, err
	}
	perms, err := s.perms.All(c.Context())
	if err != nil {
		return admin.GroupView{}, err
	}
	return admin.GroupView{Group: *g, Perms: perms, Access: access(c), CSRF: csrf.TokenFromContext(c)}, nil
}

func (s *Server) renderGroup(c fiber.Ctx, status int, v admin.GroupView) error {
	return s.page(c, status, s.adminProps(c, v.Group.Name), admin.Group(v))
}
