package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/components/pages"
)

// accountShow is the signed-in user's own page.
func (s *Server) accountShow(c fiber.Ctx) error {
	v := viewerOf(c)
	u := v.User
	o, err := s.Account.Overview(c.Context(), &account.Signed{User: u, Principal: v.Principal, Pending: v.Pending})
	if err != nil {
		return err
	}
	p := s.props(c, "Your account")
	return s.page(c, fiber.StatusOK, p, pages.Account(pages.AccountView{
		Username: u.Username, Email: u.Email, EmailVerified: u.EmailVerified,
		IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser,
		DateJoined: u.DateJoined, LastLogin: u.LastLogin,
		Groups: o.Groups, Perms: o.Perms, Now: s.Now(), CSRF: p.CSRF, PendingEmail: o.PendingEmail,
	}))
}
