package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/admin"
	"github.com/gatehouse/gatehouse/forms"
)

// adminUsersList is the user list (CONTRACT §6): search, filters, sorts
// and keyset pages. The search box's htmx requests get the table only.
func (s *Server) adminUsersList(c fiber.Ctx) error {
	q, err := forms.ParseUserList(queryGetter(c))
	if err != nil {
		return s.badRequest(c, err)
	}
	v, err := s.userListView(c, q)
	if done, rerr := s.refuse(c, err, adminList); done {
		return rerr
	}
	if err != nil {
		return err
	}
	return s.renderUserList(c, fiber.StatusOK, v, "")
}

// userListView reads one page of the list and what the page shows around it.
func (s *Server) userListView(c fiber.Ctx, q forms.UserListQuery) (admin.UserListView, error) {
	l, err := s.Account.ListUsers(c.Context(), userListParams(q))
	if err != nil {
		return admin.UserListView{}, err
	}
	return admin.UserListView{
		Query: userQueryView(q), Rows: userRowsView(l.Rows), Next: l.Next, Prev: l.Prev,
		Count:  admin.Count{N: l.Count.N, Approx: l.Count.Approx, AtLeast: l.Count.AtLeast},
		Groups: l.Groups, Access: access(c), Now: s.Now(), CSRF: csrfToken(c),
	}, nil
}

// renderUserList answers with the whole page, or with the table alone for
// the search box and the bulk form (htmx requests aimed at #user-table, or
// at no element). toast, if any, is shown out of band with the table.
func (s *Server) renderUserList(c fiber.Ctx, status int, v admin.UserListView, toast string) error {
	if tableOnly(c) {
		return fragment(c, status, admin.UserTableUpdate(v, toast))
	}
	return s.page(c, status, s.adminProps(c, "Users"), admin.UserList(v))
}

// tableOnly reports whether an htmx request wants the user table rather
// than the page: the search box targets #user-table; a sign-in that lands
// on the list (HX-Retarget #main) or a request aimed elsewhere wants #main.
func tableOnly(c fiber.Ctx) bool {
	if !isHTMX(c) || c.GetRespHeader("HX-Retarget") != "" {
		return false
	}
	t := c.Get("HX-Target")
	return t == "" || t == "user-table"
}
