package handlers

import (
	"time"

	"github.com/gofiber/fiber/v3"
)

// flashes are the one-time success messages a redirect can carry. The
// cookie holds only a code from this table, so nothing a visitor puts there
// is ever shown.
var flashes = map[string]string{
	"signed_out":        "Signed out",
	"password_changed":  "Password changed",
	"password_reset":    "Password changed. You can sign in now.",
	"email_verified":    "Email address confirmed",
	"email_sent":        "Check your inbox",
	"sessions_revoked":  "Sessions ended",
	"saved":             "Saved",
	"no_changes":        "No changes to save",
	"password_set":      "Password set",
	"users_activated":   "Users activated",
	"users_deactivated": "Users deactivated",
	"group_created":     "Group created",
	"group_deleted":     "Group deleted",
	"lockout_cleared":   "Sign-in lockout cleared",
}

const flashCookie = "gatehouse_flash"

// flash shows a message on this answer or, after a redirect (303 or
// HX-Redirect), on the next page.
func (s *Server) flash(c fiber.Ctx, code string) {
	if _, ok := flashes[code]; !ok {
		return
	}
	c.Locals(localFlash, code)
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: code, Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: s.Config.SecureCookies(), MaxAge: 60})
}

// takeFlash returns the message for this page, once.
func (s *Server) takeFlash(c fiber.Ctx) string {
	code, _ := c.Locals(localFlash).(string)
	if code == "" {
		code = c.Cookies(flashCookie)
	}
	if code == "" {
		return ""
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: s.Config.SecureCookies(), Expires: time.Unix(1, 0), MaxAge: -1})
	return flashes[code]
}

const localFlash = "flash"
