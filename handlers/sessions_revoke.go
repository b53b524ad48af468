package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/session"
)

// sessionsRevoke signs out one of the user's sessions (id = its handle) or
// all but this one (all=others); behind mustReauth.
func (s *Server) sessionsRevoke(c fiber.Ctx) error {
	ctx := c.Context()
	u := viewerOf(c).User
	current := currentSessionID(c)
	switch {
	case c.FormValue("all") == "others":
		n, err := s.endSessions(ctx, u.ID, current)
		if err != nil {
			return err
		}
		s.event(c, "sessions_revoked", u.ID, u.Username, strconv.Itoa(n)+" other sessions")
		s.Log.Info("sessions revoked", "user", u.Username, "user_id", u.ID, "ended", n, "ip", clientIP(c))
	case c.FormValue("id") != "":
		id, ok, err := s.sessionByHandle(ctx, u.ID, c.FormValue("id"))
		if err != nil {
			return err
		}
		if !ok {
			return s.problem(c, fiber.StatusNotFound, "Session not found",
				"That session has already ended. Reload the sessions page to see the ones still active.")
		}
		if id == current {
			// Signing out this very session is signing out.
			if err := s.endSession(c, session.FromContext(c), u.ID); err != nil {
				return err
			}
			s.event(c, "logout", u.ID, u.Username, "from the sessions page")
			s.flash(c, "signed_out")
			return seeOther(c, "/")
		}
		if err := s.endSessionID(ctx, u.ID, id); err != nil {
			return err
		}
		s.event(c, "session_revoked", u.ID, u.Username, "")
		s.Log.Info("session revoked", "user", u.Username, "user_id", u.ID, "ip", clientIP(c))
	default:
		return s.problem(c, fiber.StatusBadRequest, "No session chosen",
			"Choose a session to sign out on the sessions page, then try again.")
	}
	s.flash(c, "sessions_revoked")
	if !isHTMX(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/account/sessions")
	}
	c.Set("HX-Push-Url", "/account/sessions")
	c.Set("HX-Retarget", "#main")
	c.Set("HX-Reswap", "innerHTML")
	return s.sessionsShow(c)
}
