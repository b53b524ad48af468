package handlers

import (
	"bytes"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
)

// formGetter reads posted form values (urlencoded or multipart) from the
// body only.
func formGetter(c fiber.Ctx) func(string) string {
	return func(name string) string { return formValue(c, name) }
}

// formValue is a posted field, read from the request body only: unlike
// c.FormValue, never from the query string, so a password or CSRF token
// put in a URL (where logs, histories and Referer headers keep it) counts
// for nothing.
func formValue(c fiber.Ctx, name string) string {
	if v := c.Request().PostArgs().Peek(name); v != nil {
		return string(v)
	}
	if bytes.HasPrefix(c.Request().Header.ContentType(), []byte(fiber.MIMEMultipartForm)) {
		if mf, err := c.MultipartForm(); err == nil {
			if vs := mf.Value[name]; len(vs) > 0 {
				return vs[0]
			}
		}
	}
	return ""
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
