package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
)

// resetRequestSubmit mails a reset link (account.RequestReset). The answer
// is the same page whether or not an account uses the address.
func (s *Server) resetRequestSubmit(c fiber.Ctx) error {
	f := forms.ParseEmail(formGetter(c))
	if errs := f.Validate(); errs.Any() {
		p := s.props(c, "Reset your password")
		return s.page(c, fiber.StatusUnprocessableEntity, p, pages.ResetRequest(pages.EmailForm{Email: f.Email, Errors: errs}, p.CSRF))
	}
	if err := s.Account.RequestReset(c.Context(), f.Email, s.client(c)); err != nil {
		return err
	}
	return s.navigate(c, "/password-reset/sent", s.resetSentShow)
}

// resetSentShow is the answer to every reset request.
func (s *Server) resetSentShow(c fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, s.props(c, "Check your inbox"), pages.ResetSent())
}
