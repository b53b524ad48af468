// Package pages composes whole pages from the layout and form components.
package pages

import (
	"net/url"

	"github.com/a-h/templ"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/form"
)

// RegisterForm is the sign-up form's state: values typed, errors found, and
// the fields already checked (which show a check mark when valid).
type RegisterForm struct {
	Username, Email string
	// RD is an allowed forward-auth return URL (CONTRACT §9).
	RD                string
	Password, Confirm string // used for the checklist only, never echoed
	Errors            map[string]string
	Checked           map[string]bool
}

// signInURL is the sign-in page, with the same rd.
func (r RegisterForm) signInURL() templ.SafeURL {
	if r.RD == "" {
		return "/login"
	}
	return templ.SafeURL("/login?rd=" + url.QueryEscape(r.RD))
}

// Field builds one sign-up field; the page and /register/validate share it.
func (r RegisterForm) Field(name string) form.Field {
	f := form.Field{Name: name, Error: r.Errors[name], Valid: r.Checked[name], Required: true, Validate: "/register/validate"}
	switch name {
	case "username":
		f.Label, f.Autocomplete, f.MaxLength, f.Value, f.Autofocus = "Username", "username", auth.MaxUsernameLen, r.Username, true
		f.Hint = "Letters, digits and @ . + - _ only."
		f.OKText = "Available"
	case "email":
		f.Label, f.Type, f.Autocomplete, f.MaxLength, f.Value = "Email", "email", "email", auth.MaxEmailLen, r.Email
	case "password":
		f.Label, f.Type, f.Autocomplete, f.MaxLength, f.Toggle = "Password", "password", "new-password", auth.MaxPasswordLen, true
		f.Extra = passwordRules(r.Password, r.Username, r.Email)
		f.OKText = "Strong enough"
	case "password_confirm":
		f.Label, f.Type, f.Autocomplete, f.MaxLength = "Confirm password", "password", "new-password", auth.MaxPasswordLen
		f.OKText = "Matches"
	}
	return f
}

// passwordRules is the checklist and strength bar under a new password.
// Before anything is typed no rule counts as met: an empty field shows
// open circles and an empty bar, not green ticks.
func passwordRules(password, username, email string) templ.Component {
	checks := auth.PasswordChecklist(password, username, email)
	if password == "" {
		for i := range checks {
			checks[i].OK = false
		}
		return form.Checklist(checks, -1)
	}
	return form.Checklist(checks, auth.Strength(password))
}

// LoginForm is the sign-in form's state.
type LoginForm struct {
	// RD is an allowed forward-auth return URL (CONTRACT §9), carried
	// through the form like Next.
	Login, Next, RD string
	// RegisterRD is RD query-escaped, for the Register link: someone
	// sent here by a protected app who signs up instead goes back too.
	RegisterRD string
	Remember   bool
	Errors     map[string]string
	Alert      string
}

func (l LoginForm) loginField() form.Field {
	return form.Field{Name: "login", Label: "Username or email", Value: l.Login, Autocomplete: "username",
		Required: true, Autofocus: true, MaxLength: auth.MaxEmailLen, Error: l.Errors["login"]}
}

func (l LoginForm) passwordField() form.Field {
	return form.Field{Name: "password", Label: "Password", Type: "password", Autocomplete: "current-password",
		Required: true, MaxLength: auth.MaxPasswordLen, Toggle: true, Error: l.Errors["password"]}
}

// PasswordForm is the change-password form's state.
type PasswordForm struct {
	Errors map[string]string
}

func (p PasswordForm) field(name string) form.Field {
	f := form.Field{Name: name, Type: "password", Required: true, MaxLength: auth.MaxPasswordLen, Toggle: true, Error: p.Errors[name]}
	switch name {
	case "current_password":
		f.Label, f.Autocomplete, f.Autofocus = "Current password", "current-password", true
	case "password":
		f.Label, f.Autocomplete = "New password", "new-password"
	case "password_confirm":
		f.Label, f.Autocomplete = "Confirm new password", "new-password"
	}
	return f
}
