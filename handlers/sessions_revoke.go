package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
)

// sessionsRevoke signs out one of the user's sessions (id = its handle) or
// all but this one (all=others); behind mustReauth.
func (s *Server) sessionsRevoke(c fiber.Ctx) error {
	ctx := c.Context()
	u := viewerOf(c).User
	current := s.Sessions.CurrentID(c)
	switch {
	case formValue(c, "all") == "others":
		if _, err := s.Account.SignOutOthers(ctx, u, current, s.client(c)); err != nil {
			return err
		}
	case formValue(c, "id") != "":
		isCurrent, err := s.Account.SignOutSession(ctx, u, formValue(c, "id"), current, s.client(c))
		if errors.Is(err, account.ErrSessionNotFound) {
			return s.problem(c, fiber.StatusNotFound, "Session not found",
				"That session has already ended. Reload the sessions page to see the ones still active.")
		}
		if err != nil {
			return err
		}
		if isCurrent {
			// Signing out this very session is signing out.
			if err := s.endSession(c, u.ID); err != nil {
				return err
			}
			s.Account.Record(ctx, s.client(c), "logout", u.ID, u.Username, "from the sessions page")
			s.flash(c, "signed_out")
			return seeOther(c, "/")
		}
	default:
		return s.problem(c, fiber.StatusBadRequest, "No session chosen",
			"Choose a session to sign out on the sessions page, then try again.")
	}
	s.flash(c, "sessions_revoked")
	return s.navigate(c, "/account/sessions", s.sessionsShow)
}
