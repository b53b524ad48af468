package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/models"
)

// adminGroupDelete deletes a group; its members lose what it granted from
// their next request.
func (s *Server) adminGroupDelete(c fiber.Ctx) error {
	id, ok := paramID(c)
	if !ok {
		return s.notFound(c)
	}
	g, err := models.Groups{DB: s.DB}.Delete(c.Context(), id)
	if models.IsNotFound(err) {
		return s.notFound(c)
	}
	if err != nil {
		return err
	}
	s.event(c, "group_deleted", 0, "", g.Name)
	s.Log.Info("group deleted", "group", g.Name, "group_id", id, "by", viewerOf(c).User.Username, "ip", clientIP(c))
	s.flash(c, "group_deleted")
	return seeOther(c, "/admin/groups")
}
