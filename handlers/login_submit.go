package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
)

// loginSubmit checks a sign-in (account.SignIn) and starts the session.
func (s *Server) loginSubmit(c fiber.Ctx) error {
	f := forms.ParseLogin(formGetter(c))
	if errs := f.Validate(); errs.Any() {
		return s.loginFailedPage(c, f, errs, "")
	}
	res, err := s.Account.SignIn(c.Context(), account.Credentials{Login: f.Login, Password: f.Password}, s.client(c))
	var unverified *account.UnverifiedError
	switch {
	case errors.As(err, &unverified):
		return s.unverifiedView(c, unverified.User, fiber.StatusForbidden, "", "")
	case errors.Is(err, account.ErrInvalidCredentials):
		return s.loginFailedPage(c, f, nil, msgInvalidLogin)
	case err != nil:
		return err
	}
	if err := s.startSignedIn(c, &res.Signed, f.Remember); err != nil {
		return err
	}
	return s.afterSignIn(c, f.Next, f.RD)
}

func (s *Server) loginFailedPage(c fiber.Ctx, f forms.Login, errs forms.Errors, alert string) error {
	next, _ := auth.SafeNext(f.Next)
	rd, _ := s.Account.ReturnTo(f.RD)
	lf := pages.LoginForm{Login: f.Login, Next: next, RD: rd, RegisterRD: url.QueryEscape(rd), Remember: f.Remember, Errors: errs, Alert: alert}
	if alert != "" {
		// The field is marked too, so the form says where to look.
		lf.Errors = map[string]string{"password": alert}
		lf.Alert = ""
	}
	p := s.props(c, "Sign in")
	return s.page(c, fiber.StatusUnprocessableEntity, p, pages.Login(lf, p.CSRF))
}

// startSignedIn starts the session of a completed sign-in and makes the
// user this request's viewer, so the answer already shows them signed in.
func (s *Server) startSignedIn(c fiber.Ctx, sg *account.Signed, remember bool) error {
	if err := s.startSession(c, sg.User, remember); err != nil {
		return err
	}
	c.Locals(localViewer, &viewer{User: sg.User, Principal: sg.Principal})
	return nil
}

// afterSignIn answers a successful sign-in: 303 to the destination without
// JavaScript; with htmx, the destination's #main, the top bar out of band
// and the new URL pushed — no full reload, HX-Redirect only to an allowed
// rd on another host (returnTo).
func (s *Server) afterSignIn(c fiber.Ctx, next, rd string) error {
	if to, ok := s.Account.ReturnTo(rd); ok {
		return s.returnTo(c, to)
	}
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
