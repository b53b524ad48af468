package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
)

// adminSessionsRevoke lets staff with users.change sign out a user's
// sessions from /admin/users/{id}: one (id = its handle) or all (all set).
// The admin's own session survives even on their own page.
func (s *Server) adminSessionsRevoke(c fiber.Ctx) error {
	id, ok := paramID(c)
	if !ok {
		return s.notFound(c)
	}
	err := s.Account.SignOutUser(c.Context(), actor(c), id, formValue(c, "all") != "", formValue(c, "id"),
		s.Sessions.CurrentID(c), s.client(c))
	if account.IsNotFound(err) {
		return s.notFound(c)
	}
	if done, rerr := s.refuse(c, err, adminSessions); done {
		return rerr
	}
	if err != nil {
		return err
	}
	s.flash(c, "sessions_revoked")
	return seeOther(c, "/admin/users/"+itoa(id))
}
