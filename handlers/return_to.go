package handlers

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
)

// returnTo ends a sign-in, sign-out or a visit to /login at to, an rd
// that account.ReturnTo allowed: 303 without htmx; with htmx, HX-Redirect
// when it is on another host (a full load there), else the same in-place
// navigation as a local next (CONTRACT §5).
func (s *Server) returnTo(c fiber.Ctx, to string) error {
	if !isHTMX(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To(to)
	}
	if local, ok := s.localPart(to); ok {
		c.Set("HX-Push-Url", local)
		c.Set("HX-Retarget", "#main")
		c.Set("HX-Reswap", "innerHTML")
		return s.renderPath(c, local)
	}
	c.Set("HX-Redirect", to)
	return c.SendStatus(fiber.StatusOK)
}

// localPart is the path and query of an absolute URL on this site's own
// origin (scheme, host and port of the base URL).
func (s *Server) localPart(to string) (string, bool) {
	u, err := url.Parse(to)
	base := s.Config.BaseURL
	if err != nil || base == nil || !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host) {
		return "", false
	}
	return auth.SafeNext(u.RequestURI())
}
