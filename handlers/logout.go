package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
)

// logout deletes the session on the server, so the old cookie reaches
// nothing, then goes home: 303, or for htmx the anonymous #main and top
// bar; or back to the app of an allowed rd (CONTRACT §9).
func (s *Server) logout(c fiber.Ctx) error {
	if v := viewerOf(c); v != nil {
		from := s.client(c)
		if err := s.endSession(c, v.User.ID); err != nil {
			return err
		}
		s.Account.SignedOut(c.Context(), v.User, from)
	}
	if to, ok := s.Account.ReturnTo(formValue(c, "rd")); ok {
		return s.returnTo(c, to)
	}
	s.flash(c, "signed_out")
	return s.navigate(c, "/", func(c fiber.Ctx) error {
		p := s.props(c, "")
		return s.page(c, fiber.StatusOK, p, pages.Home("", p.CSRF))
	})
}
