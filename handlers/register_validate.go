package handlers

import (
	"slices"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
)

// registerValidate checks the one field named by HX-Trigger-Name (or the
// form field "field") and answers that field's block. It never hashes.
func (s *Server) registerValidate(c fiber.Ctx) error {
	if err := s.Account.AllowValidation(c.Context(), s.client(c)); err != nil {
		return err
	}
	name := c.Get("HX-Trigger-Name")
	if name == "" {
		name = formValue(c, "field")
	}
	if !slices.Contains(forms.RegisterFields, name) {
		return s.problem(c, fiber.StatusBadRequest, "Unknown field", "Only the sign-up form's fields can be checked here.")
	}
	f := forms.ParseRegister(formGetter(c))
	view := pages.RegisterForm{Username: f.Username, Email: f.Email, Password: f.Password,
		Errors: map[string]string{}, Checked: map[string]bool{name: true}}
	msg := f.Field(name)
	if msg == "" {
		var err error
		msg, err = s.takenMessage(c, name, f)
		if err != nil {
			return err
		}
	}
	if msg != "" {
		view.Errors[name] = msg
	}
	// The checklist compares with the normalised username and email.
	if name == "password" {
		if u, err := auth.ValidateUsername(f.Username); err == nil {
			view.Username = u
		}
	}
	return fragment(c, fiber.StatusOK, pages.RegisterField(view, name))
}

// takenMessage reports a username or email already in use.
func (s *Server) takenMessage(c fiber.Ctx, name string, f forms.Register) (string, error) {
	value := f.Username
	if name == "email" {
		value = f.Email
	}
	err := s.Account.Available(c.Context(), name, value)
	if _, msg, ok := fieldError(err); ok {
		return msg, nil
	}
	return "", err
}
