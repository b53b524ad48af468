package handlers

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
)

const invalidLogin = "Invalid username or password."

// loginSubmit checks a sign-in. Unknown users, wrong passwords and inactive
// accounts get the same message after the same amount of hashing work.
func (s *Server) loginSubmit(c fiber.Ctx) error {
	f := forms.ParseLogin(formGetter(c))
	ip := clientIP(c)
	if errs := f.Validate(); errs.Any() {
		return s.loginFailedPage(c, f, errs, "")
	}

	ctx := c.Context()
	u, err := s.users.ByLogin(ctx, auth.UsernameKey(auth.NormalizeUsername(f.Login)), strings.ToLower(f.Login))
	if err != nil && !models.IsNotFound(err) {
		return err
	}
	var uid int64
	if u != nil {
		uid = u.ID
	}
	// The attempt is counted as a failure before the password is checked
	// and taken back if it was right: parallel guesses cannot all slip
	// through before the first one is counted.
	counters := loginCounters(ip, f.Login, uid)
	wait, blocked, tripped, err := s.reserve(ctx, counters)
	if err != nil {
		return err
	} else if blocked {
		return s.tooMany(c, wait)
	}

	ok, rehash := false, false
	if u != nil {
		ok, rehash, err = s.Hasher.Verify(ctx, u.PasswordHash, f.Password)
		if err != nil {
			s.Log.Error("stored hash unreadable", "user_id", u.ID, "err", err)
			ok = false
		}
	} else {
		s.Hasher.VerifyDummy(ctx, f.Password)
	}
	if !ok || !u.IsActive {
		return s.loginFailed(c, f, uid, tripped)
	}
	if err := s.release(ctx, counters); err != nil {
		return err
	}

	if s.Config.MandatoryVerification() && !u.EmailVerified {
		return s.unverifiedPage(c, u)
	}
	if rehash {
		if h, err := s.Hasher.Hash(ctx, f.Password); err == nil {
			if err := s.users.SetPasswordHash(ctx, u.ID, h, time.Time{}); err != nil {
				s.Log.Warn("rehash failed", "user_id", u.ID, "err", err)
			}
		}
	}
	if err := s.signIn(c, u, f.Remember); err != nil {
		return err
	}
	return s.afterSignIn(c, f.Next)
}

// loginFailed records a failure, already counted by reserve (tripped: the
// counters it brought to their limit), and shows the form again.
func (s *Server) loginFailed(c fiber.Ctx, f forms.Login, uid int64, tripped []string) error {
	ip := clientIP(c)
	s.event(c, "login_failed", uid, f.Login, "")
	s.Log.Info("sign-in failed", "login", f.Login, "ip", ip, "user_id", uid)
	for _, key := range tripped {
		s.event(c, "rate_limited", uid, f.Login, key)
		s.Log.Warn("rate limit reached", "key", key, "ip", ip)
	}
	return s.loginFailedPage(c, f, nil, invalidLogin)
}

func (s *Server) loginFailedPage(c fiber.Ctx, f forms.Login, errs forms.Errors, alert string) error {
	next, _ := auth.SafeNext(f.Next)
	lf := pages.LoginForm{Login: f.Login, Next: next, Remember: f.Remember, Errors: errs, Alert: alert}
	if alert != "" {
		// The field is marked too, so the form says where to look.
		lf.Errors = map[string]string{"password": alert}
		lf.Alert = ""
	}
	p := s.props(c, "Sign in")
	return s.page(c, fiber.StatusUnprocessableEntity, p, pages.Login(lf, p.CSRF))
}

// signIn starts a session for u and records it.
func (s *Server) signIn(c fiber.Ctx, u *models.User, remember bool) error {
	if err := s.startSession(c, u, remember); err != nil {
		return err
	}
	now := s.Now()
	if err := s.users.TouchLogin(c.Context(), u.ID, now); err != nil {
		return err
	}
	u.LastLogin = &now
	s.setViewer(c, u)
	s.event(c, "login", u.ID, u.Username, "")
	s.Log.Info("signed in", "user", u.Username, "user_id", u.ID, "ip", clientIP(c))
	return nil
}

// setViewer makes u this request's viewer, so the answer already shows them
// signed in.
func (s *Server) setViewer(c fiber.Ctx, u *models.User) {
	perms, err := s.perms.OfUser(c.Context(), u.ID)
	if err != nil {
		perms = map[string]bool{}
	}
	c.Locals(localViewer, &viewer{User: u, Principal: auth.Principal{
		IsActive: u.IsActive, IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser, Perms: perms,
	}})
}

// afterSignIn answers a successful sign-in: 303 to the destination without
// JavaScript; with htmx, the destination's #main, the top bar out of band
// and the new URL pushed — no full reload, never HX-Redirect.
func (s *Server) afterSignIn(c fiber.Ctx, next string) error {
	dest, ok := auth.SafeNext(next)
	if !ok {
		dest = "/account"
	}
	if !isHTMX(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To(dest)
	}
	c.Set("HX-Push-Url", dest)
	c.Set("HX-Retarget", "#main")
	c.Set("HX-Reswap", "innerHTML")
	return s.renderPath(c, dest)
}

// renderPath renders the page at a local path as the answer to this
// request, for htmx answers that navigate without a reload. Paths with
// parameters are not in the table: htmx fetches those itself (HX-Location).
func (s *Server) renderPath(c fiber.Ctx, dest string) error {
	path, query, _ := strings.Cut(dest, "?")
	h, ok := s.landing[path]
	if !ok {
		c.Set("HX-Location", fmt.Sprintf(`{"path":%q,"target":"#main"}`, dest))
		c.Response().Header.Del("HX-Push-Url")
		return c.SendStatus(fiber.StatusOK)
	}
	c.Request().URI().SetPath(path)
	c.Request().URI().SetQueryString(query)
	c.Request().Header.SetMethod(fiber.MethodGet)
	return h(c)
}
