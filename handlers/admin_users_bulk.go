package handlers

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/components/admin"
	"github.com/gatehouse/gatehouse/forms"
)

// adminUsersBulk activates or deactivates the selected users. A refusal
// (oneself, the last active superuser, a superuser for a non-superuser)
// changes nothing and shows the list again with the reason and the
// selection kept. Deactivated users are signed out everywhere.
func (s *Server) adminUsersBulk(c fiber.Ctx) error {
	b, err := forms.ParseBulk(formGetter(c), formValues(c), account.MaxBulk)
	if err != nil {
		return s.badRequest(c, err)
	}
	back := backQuery(b.Back)
	refuse := func(status int, msg string) error {
		v, err := s.backListView(c, back)
		if err != nil {
			return err
		}
		v.Alert, v.Selected = msg, b.IDs
		return s.renderUserList(c, status, v, "")
	}
	if len(b.IDs) == 0 {
		return refuse(fiber.StatusUnprocessableEntity, "Select at least one user first.")
	}
	activate := b.Action == "activate"
	changed, err := s.Account.SetUsersActive(c.Context(), actor(c), b.IDs, activate, s.client(c))
	if r, ok := adminRefusal(err, adminBulk); ok {
		return refuse(r.Status, r.Msg)
	}
	if err != nil {
		return err
	}
	verb := "activated"
	if !activate {
		verb = "deactivated"
	}
	toast := "No changes: the selected users were already " + verb + "."
	if n := len(changed); n == 1 {
		toast = "1 user " + verb + "."
	} else if n > 1 {
		toast = admin.Thousands(int64(n)) + " users " + verb + "."
	}
	if !isHTMX(c) {
		if len(changed) == 0 {
			s.flash(c, "no_changes")
		} else {
			s.flash(c, "users_"+verb)
		}
		return c.Redirect().Status(fiber.StatusSeeOther).To(b.Back)
	}
	v, err := s.backListView(c, back)
	if err != nil {
		return err
	}
	return s.renderUserList(c, fiber.StatusOK, v, toast)
}

// backListView is the list page a bulk action came from, or its first
// page if its cursor no longer works.
func (s *Server) backListView(c fiber.Ctx, q forms.UserListQuery) (admin.UserListView, error) {
	v, err := s.userListView(c, q)
	if errors.Is(err, account.ErrBadCursor) {
		q.After, q.Before = "", ""
		return s.userListView(c, q)
	}
	return v, err
}

// backQuery is the list query of the page a bulk action came from, or the
// default list.
func backQuery(back string) forms.UserListQuery {
	u, err := url.Parse(back)
	if err == nil {
		if q, err := forms.ParseUserList(u.Query().Get); err == nil {
			return q
		}
	}
	q, _ := forms.ParseUserList(func(string) string { return "" })
	return q
}
