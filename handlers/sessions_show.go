package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
)

// sessionsShow lists the signed-in user's sessions.
func (s *Server) sessionsShow(c fiber.Ctx) error {
	rows, err := s.userSessions(c.Context(), viewerOf(c).User.ID, s.Sessions.CurrentID(c))
	if err != nil {
		return err
	}
	p := s.props(c, "Your sessions")
	return s.page(c, fiber.StatusOK, p, pages.Sessions(pages.SessionsView{Rows: rows, Now: s.Now(), CSRF: p.CSRF}))
}
