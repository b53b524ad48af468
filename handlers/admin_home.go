package handlers

import "github.com/gofiber/fiber/v3"

// adminHome sends staff to the first admin section they may open.
func (s *Server) adminHome(c fiber.Ctx) error {
	a := access(c)
	switch {
	case a.UsersView:
		return seeOther(c, "/admin/users")
	case a.GroupsView:
		return seeOther(c, "/admin/groups")
	case a.AuditView:
		return seeOther(c, "/admin/audit")
	}
	return s.forbidden(c)
}
