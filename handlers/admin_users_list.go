package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/csrf"

	"github.com/gatehouse/gatehouse/components/admin"
	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
)

// adminUsersList is the user list (CONTRACT §6): search, filters, sorts
// and keyset pages. The search box's htmx requests get the table only.
func (s *Server) adminUsersList(c fiber.Ctx) error {
	q, err := forms.ParseUserList(queryGetter(c))
	if err != nil {
		return s.badRequest(c, err)
	}
	v, err := s.userListView(c, q)
	if errors.Is(err, models.ErrBadCursor) {
		return s.badRequest(c, &forms.BadRequest{Msg: "This page link is not valid for this list. Start again from the first page."})
	}
	if err != nil {
		return err
	}
	return s.renderUserList(c, fiber.StatusOK, v, "")
}

// userListView reads one page of the list and what the page shows around it.
func (s *Server) userListView(c fiber.Ctx, q forms.UserListQuery) (admin.UserListView, error) {
	ctx := c.Context()
	page, err := s.users.List(ctx, models.UserListParams{
		Q: q.Q, Active: forms.Tri(q.Active), Staff: forms.Tri(q.Staff), Superuser: forms.Tri(q.Superuser),
		Group: q.Group, Sort: q.SortKey(), Desc: q.Desc(), After: q.After, Before: q.Before, PageSize: q.PageSize,
	})
	if err != nil {
		return admin.UserListView{}, err
	}
	v := admin.UserListView{
		Query: q, Rows: page.Rows, Next: page.Next, Prev: page.Prev,
		Access: access(c), Now: s.Now(), CSRF: csrf.TokenFromContext(c),
	}
	if !q.Filtered() {
		if v.Count, err = s.users.CountAll(ctx); err != nil {
			return v, err
		}
	}
	groups, err := models.Groups{DB: s.DB}.List(ctx)
	if err != nil {
		return v, err
	}
	for _, g := range groups {
		v.Groups = append(v.Groups, g.Name)
	}
	return v, nil
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
