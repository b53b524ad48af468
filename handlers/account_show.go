package handlers

import (
	"sort"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/models"
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
	pending, err := models.Tokens{DB: s.DB}.Pending(c.Context(), u.ID, models.TokenEmailChange, s.Now())
	if err != nil {
		return err
	}
	p := s.props(c, "Your account")
	view := pages.AccountView{
		Username: u.Username, Email: u.Email, EmailVerified: u.EmailVerified,
		IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser,
		DateJoined: u.DateJoined, LastLogin: u.LastLogin,
		Groups: groups, Perms: perms, Now: s.Now(), CSRF: p.CSRF,
	}
	if pending != nil {
		view.PendingEmail = pending.Email
	}
	return s.page(c, fiber.StatusOK, p, pages.Account(view))
}
