package handlers

import (
	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/session"

	"github.com/gatehouse/gatehouse/components/pages"
)

// logout deletes the session on the server, so the old cookie reaches
// nothing, then goes home: 303, or for htmx the anonymous #main and top bar.
func (s *Server) logout(c fiber.Ctx) error {
	v := viewerOf(c)
	if m := session.FromContext(c); m != nil && v != nil {
		if err := s.endSession(c, v.User.ID); err != nil {
			return err
		}
		s.event(c, "logout", v.User.ID, v.User.Username, "")
		s.Log.Info("signed out", "user", v.User.Username, "user_id", v.User.ID, "ip", clientIP(c))
	}
	s.flash(c, "signed_out")
	if !isHTMX(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/")
	}
	c.Set("HX-Push-Url", "/")
	c.Set("HX-Retarget", "#main")
	c.Set("HX-Reswap", "innerHTML")
	p := s.props(c, "")
	return s.page(c, fiber.StatusOK, p, pages.Home("", p.CSRF))
}
