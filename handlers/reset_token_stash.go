package handlers

import (
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
)

const (
	// resetFormPath is the token-free address of an opened reset link.
	resetFormPath = "/password-reset/set"
	// resetCookie holds the signed id of the server-side entry that keeps
	// the opened link's token.
	resetCookie = "gatehouse_reset"
	// resetStashTTL is how long an opened link's form stays usable; the
	// link's own hour still applies.
	resetStashTTL = 30 * time.Minute
	// cookieReset is the purpose the reset cookie is signed for.
	cookieReset = "reset"
)

// stashReset keeps raw on the server and gives the browser the signed id
// of the entry. A browser that opens links again reuses its entry. This is
// the one anonymous GET that writes to the store, and only for a live
// link.
func (s *Server) stashReset(c fiber.Ctx, raw string) error {
	old, _ := s.signer.OpenCookie(cookieReset, c.Cookies(resetCookie))
	id, err := s.Sessions.StashReset(c.Context(), old, raw, resetStashTTL)
	if err != nil {
		return err
	}
	c.Cookie(s.resetCookieOf(s.signer.SignCookie(cookieReset, id), int(resetStashTTL/time.Second)))
	return nil
}

func (s *Server) resetCookieOf(value string, maxAge int) *fiber.Cookie {
	ck := &fiber.Cookie{
		Name: resetCookie, Value: value, Path: "/password-reset/",
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: s.Config.SecureCookies(),
		MaxAge: maxAge,
	}
	if maxAge < 0 {
		ck.Expires = time.Unix(0, 0)
	}
	return ck
}

// stashedReset is the token of the link this browser opened: its signed
// cookie names the entry. ok is false (after answering with the dead-link
// page) when there is none: 404 without a valid cookie, 410 when the entry
// has gone (its half hour passed, or the password was set).
func (s *Server) stashedReset(c fiber.Ctx) (id, raw string, ok bool, err error) {
	id, valid := s.signer.OpenCookie(cookieReset, c.Cookies(resetCookie))
	if !valid {
		return "", "", false, s.linkFailed(c, account.ErrLinkUnknown, "/password-reset", "Send a new reset link")
	}
	raw, err = s.Sessions.StashedReset(c.Context(), id)
	if err != nil {
		return "", "", false, err
	}
	if raw == "" {
		c.Cookie(s.resetCookieOf("", -1))
		return "", "", false, s.linkFailed(c, account.ErrLinkDead, "/password-reset", "Send a new reset link")
	}
	return id, raw, true, nil
}

// resetSetShow shows the form of the link this browser opened.
func (s *Server) resetSetShow(c fiber.Ctx) error {
	_, raw, ok, err := s.stashedReset(c)
	if !ok {
		return err
	}
	return s.resetFormShow(c, raw, resetFormPath)
}

// resetSetSubmit sets the password through the link this browser opened;
// the entry and its cookie go once it is used.
func (s *Server) resetSetSubmit(c fiber.Ctx) error {
	id, raw, ok, err := s.stashedReset(c)
	if !ok {
		return err
	}
	return s.resetWith(c, raw, resetFormPath, func() error {
		c.Cookie(s.resetCookieOf("", -1))
		// The token is used up already; an entry left behind expires.
		if err := s.Sessions.DropReset(c.Context(), id); err != nil {
			s.Log.Warn("drop reset entry", "err", err)
		}
		return nil
	})
}
