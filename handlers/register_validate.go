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
	name := c.Get("HX-Trigger-Name")
	if name == "" {
		name = c.FormValue("field")
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
	switch name {
	case "username":
		taken, err := s.users.UsernameTaken(c.Context(), auth.UsernameKey(f.Username))
		if err != nil || !taken {
			return "", err
		}
		return "This username is taken. Try another.", nil
	case "email":
		taken, err := s.users.EmailTaken(c.Context(), auth.EmailKey(f.Email))
		if err != nil || !taken {
			return "", err
		}
		return "An account with this email already exists. Sign in instead?", nil
	}
	return "", nil
}
