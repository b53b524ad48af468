package pages

import (
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/form"
)

// EmailForm is the state of a form with one address field: the
// password-reset request and the email change.
type EmailForm struct {
	Email  string
	Errors map[string]string
	Alert  string
}

func (e EmailForm) field(label string) form.Field {
	return form.Field{Name: "email", Label: label, Type: "email", Autocomplete: "email", Value: e.Email,
		Required: true, Autofocus: true, MaxLength: auth.MaxEmailLen, Error: e.Errors["email"]}
}

// ResetForm is the state of the new-password form behind a reset link.
type ResetForm struct {
	Username, Email string // for password managers, and the checklist
	Password        string // for the checklist only, never echoed
	Errors          map[string]string
}

func (r ResetForm) field(name string) form.Field {
	f := form.Field{Name: name, Type: "password", Autocomplete: "new-password", Required: true,
		MaxLength: auth.MaxPasswordLen, Toggle: true, Error: r.Errors[name]}
	switch name {
	case "password":
		f.Label, f.Autofocus = "New password", true
		f.Extra = passwordRules(r.Password, r.Username, r.Email)
	case "password_confirm":
		f.Label = "Confirm new password"
	}
	return f
}

// UnverifiedView is the page a user with an unconfirmed address gets when
// verification is mandatory.
type UnverifiedView struct {
	Email  string
	Handle string // signed user id for the "send a new link" form
	Notice string // "A new link is on its way."
	Alert  string // "Wait a few minutes…"
	CSRF   string
}
