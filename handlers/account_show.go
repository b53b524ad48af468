package handlers

import (
	"sort"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
)

func (s *Server) accountShow(c fiber.Ctx) error {
	v := viewerOf(c)
	u := v.User
	groups, err := s.perms.GroupNamesOfUser(c.Context(), u.ID)
	if err != nil {
		return err
	}
	known, err := s.perms.Codes(c.Context())
	if err != nil {
		return err
	}
	perms := v.Principal.Effective(known)
	sort.Strings(perms)
	view := pages.AccountView{
		Username: u.Username, Email: u.Email, EmailVerified: u.EmailVerified,
		IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser,
		DateJoined: u.DateJoined, LastLogin: u.LastLogin,
		Groups: groups, Perms: perms, Now: s.Now(),
	}
	return s.page(c, fiber.StatusOK, s.props(c, "Your account"), pages.Account(view))
}
