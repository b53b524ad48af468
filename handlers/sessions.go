package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
)

// startSession signs u in on this request (see sessions.Manager.Start) and
// makes them the viewer, so the answer already shows them signed in.
func (s *Server) startSession(c fiber.Ctx, u *auth.User, remember bool) error {
	if err := s.Sessions.Start(c, u.ID, remember, clientIP(c), c.Get(fiber.HeaderUserAgent)); err != nil {
		return err
	}
	return nil
}

// endSession deletes this request's session on the server and clears the cookie.
func (s *Server) endSession(c fiber.Ctx, uid int64) error {
	if err := s.Sessions.EndCurrent(c, uid); err != nil {
		return err
	}
	c.Locals(localViewer, nil)
	return nil
}
