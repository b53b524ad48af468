package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/models"
)

// formGetter reads posted form values (urlencoded or multipart).
func formGetter(c fiber.Ctx) func(string) string {
	return func(name string) string { return c.FormValue(name) }
}

// event records an audit event for this request; a failure to record is
// logged, not shown: the user's action has already happened.
func (s *Server) event(c fiber.Ctx, name string, userID int64, login, detail string) {
	e := &models.AuditEvent{
		Event: name, Login: login, Detail: detail,
		IP: clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent),
	}
	if userID != 0 {
		e.UserID = &userID
	}
	if v := viewerOf(c); v != nil {
		actor := v.User.ID
		e.ActorID = &actor
	}
	if err := s.audit.Record(c.Context(), e); err != nil {
		s.Log.Error("audit", "event", name, "err", err)
	}
}
