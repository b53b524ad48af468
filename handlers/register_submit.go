package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
)

// registerSubmit creates an account (account.Register) and signs it in,
// unless the address must be confirmed first.
func (s *Server) registerSubmit(c fiber.Ctx) error {
	f := forms.ParseRegister(formGetter(c))
	errs := f.Validate()
	for _, name := range []string{"username", "email"} {
		if errs[name] != "" {
			continue
		}
		msg, err := s.takenMessage(c, name, f)
		if err != nil {
			return err
		}
		if msg != "" {
			errs[name] = msg
		}
	}
	if errs.Any() {
		return s.registerFailed(c, f, errs)
	}
	signed, u, err := s.Account.Register(c.Context(),
		account.NewAccount{Username: f.Username, Email: f.Email, Password: f.Password}, s.client(c))
	if field, msg, ok := fieldError(err); ok {
		errs[field] = msg
		return s.registerFailed(c, f, errs)
	}
	if err != nil {
		return err
	}
	if signed == nil && s.Account.PreventsEnumeration() {
		// "Check your inbox", whether an account was made (u) or the
		// address was taken and its owner told by mail (u nil): the two
		// answers are the same page, with no resend form to tell them apart.
		return s.signupSent(c, f.Email)
	}
	if signed == nil {
		// The account exists; it signs in once the address is confirmed.
		return s.unverifiedView(c, u, fiber.StatusOK, "", "")
	}
	if err := s.startSignedIn(c, signed, false); err != nil {
		return err
	}
	return s.afterSignIn(c, formValue(c, "next"), formValue(c, "rd"))
}

func (s *Server) registerFailed(c fiber.Ctx, f forms.Register, errs forms.Errors) error {
	checked := map[string]bool{}
	for _, n := range forms.RegisterFields {
		checked[n] = true
	}
	rd, _ := s.Account.ReturnTo(formValue(c, "rd"))
	view := pages.RegisterForm{Username: f.Username, Email: f.Email, Password: f.Password, Errors: errs, Checked: checked, RD: rd}
	p := s.props(c, "Register")
	return s.page(c, fiber.StatusUnprocessableEntity, p, pages.Register(view, p.CSRF))
}

// signupSent is the "check your inbox" page of a sign-up under
// prevent-enumeration: no session, no form.
func (s *Server) signupSent(c fiber.Ctx, email string) error {
	if viewerOf(c) == nil {
		if err := s.Sessions.DropAnonymous(c); err != nil {
			return fmt.Errorf("drop empty session: %w", err)
		}
	}
	p := s.props(c, "Confirm your email")
	return s.page(c, fiber.StatusOK, p, pages.Unverified(pages.UnverifiedView{Email: email, CSRF: p.CSRF}))
}
