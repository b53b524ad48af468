package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"

	"github.com/gatehouse/gatehouse/models"
)

// adminSessionsRevoke lets staff with users.change sign out a user's
// sessions from /admin/users/{id}: one (id = its handle) or all (all set).
// The admin's own session survives even on their own page.
func (s *Server) adminSessionsRevoke(c fiber.Ctx) error {
	ctx := c.Context()
	uid, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || uid <= 0 {
		return s.notFound(c)
	}
	u, err := s.users.ByID(ctx, uid)
	if err != nil {
		if models.IsNotFound(err) {
			return s.notFound(c)
		}
		return err
	}
	if u.IsSuperuser && !actor(c).IsSuperuser {
		return s.problem(c, fiber.StatusForbidden, "Permission denied",
			"Only a superuser can sign a superuser out. Nothing was changed.")
	}
	admin := viewerOf(c).User
	detail := ""
	switch {
	case c.FormValue("all") != "":
		n, err := s.Sessions.EndAll(ctx, u.ID, s.Sessions.CurrentID(c))
		if err != nil {
			return err
		}
		detail = strconv.Itoa(n) + " sessions"
	case c.FormValue("id") != "":
		err := s.Account.EndSessionByHandle(ctx, u.ID, c.FormValue("id"))
		if errors.Is(err, account.ErrSessionNotFound) {
			return s.problem(c, fiber.StatusNotFound, "Session not found",
				"That session has already ended. Reload the user's page to see the ones still active.")
		}
		if err != nil {
			return err
		}
		detail = "1 session"
	default:
		return s.problem(c, fiber.StatusBadRequest, "No session chosen",
			"Choose a session to sign out on the user's page, then try again.")
	}
	s.event(c, "sessions_revoked_by_admin", u.ID, u.Username, detail)
	s.Log.Info("sessions revoked by admin", "admin", admin.Username, "admin_id", admin.ID,
		"user", u.Username, "user_id", u.ID, "detail", detail, "ip", clientIP(c))
	s.flash(c, "sessions_revoked")
	return seeOther(c, "/admin/users/"+strconv.FormatInt(u.ID, 10))
}
