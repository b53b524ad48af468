package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
)

// adminUserUnlock lets staff with users.change clear a user's sign-in
// lockout from /admin/users/{id}, so a locked-out colleague need not wait.
func (s *Server) adminUserUnlock(c fiber.Ctx) error {
	id, ok := paramID(c)
	if !ok {
		return s.notFound(c)
	}
	err := s.Account.ClearLockout(c.Context(), actor(c), id, s.client(c))
	if account.IsNotFound(err) {
		return s.notFound(c)
	}
	if done, rerr := s.refuse(c, err, adminUnlock); done {
		return rerr
	}
	if err != nil {
		return err
	}
	s.flash(c, "lockout_cleared")
	return seeOther(c, "/admin/users/"+itoa(id))
}
