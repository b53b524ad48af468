package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
)

// formGetter reads posted form values (urlencoded or multipart).
func formGetter(c fiber.Ctx) func(string) string {
	return func(name string) string { return c.FormValue(name) }
}

// client is who this request acts for, as the use cases record it.
func (s *Server) client(c fiber.Ctx) account.Client {
	cl := account.Client{IP: clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent)}
	if v := viewerOf(c); v != nil {
		cl.ActorID = v.User.ID
	}
	return cl
}

// event records an audit event for this request; a failure to record is
// logged, not shown: the user's action has already happened.
func (s *Server) event(c fiber.Ctx, name string, userID int64, login, detail string) {
	s.Account.Record(c.Context(), s.client(c), name, userID, login, detail)
}
