package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
)

// adminGroupDelete deletes a group; its members lose what it granted from
// their next request.
func (s *Server) adminGroupDelete(c fiber.Ctx) error {
	id, ok := paramID(c)
	if !ok {
		return s.notFound(c)
	}
	_, err := s.Account.DeleteGroup(c.Context(), actor(c), id, s.client(c))
	if account.IsNotFound(err) {
		return s.notFound(c)
	}
	if refused, err2 := s.refuse(c, err, adminGroup); refused {
		return err2
	}
	if err != nil {
		return err
	}
	s.flash(c, "group_deleted")
	return seeOther(c, "/admin/groups")
}
