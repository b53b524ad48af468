package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/components/admin"
)

// adminUserShow is one user's admin page; read-only without users.change.
func (s *Server) adminUserShow(c fiber.Ctx) error {
	id, ok := paramID(c)
	if !ok {
		return s.notFound(c)
	}
	v, err := s.userView(c, id)
	if account.IsNotFound(err) {
		return s.notFound(c)
	}
	if err != nil {
		return err
	}
	return s.renderUser(c, fiber.StatusOK, v)
}

// userView loads the user and the groups and permissions to choose from.
func (s *Server) userView(c fiber.Ctx, id int64) (admin.UserView, error) {
	ctx := c.Context()
	d, err := s.Account.UserDetail(ctx, id)
	if err != nil {
		return admin.UserView{}, err
	}
	groups, err := s.Account.Groups(ctx)
	if err != nil {
		return admin.UserView{}, err
	}
	perms, err := s.Account.Permissions(ctx)
	if err != nil {
		return admin.UserView{}, err
	}
	vw := viewerOf(c)
	v := admin.UserView{
		User: userDetailView(d), Groups: groupRowsView(groups), Perms: permsView(perms), Access: access(c),
		ViewerIsSuperuser: vw.Principal.IsSuperuser, Self: vw.User.ID == id,
		Now: s.Now(), CSRF: csrfToken(c),
	}
	if v.Access.UsersChange {
		if v.Sessions, err = s.userSessions(ctx, id, s.Sessions.CurrentID(c)); err != nil {
			return admin.UserView{}, err
		}
	}
	return v, nil
}

func (s *Server) renderUser(c fiber.Ctx, status int, v admin.UserView) error {
	return s.page(c, status, s.adminProps(c, v.User.Username), admin.User(v))
}
