// Package forms decodes and validates Gatehouse's forms. It knows the rules
// (from package auth) but neither HTTP nor SQL: handlers pass a getter for
// the posted values and check uniqueness themselves.
package forms

import (
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/auth"
)

// Errors maps a field name to its message.
type Errors map[string]string

// Any reports whether there is at least one error.
func (e Errors) Any() bool { return len(e) > 0 }

// clean bounds what a form field can be before any rule looks at it: a
// value far past every limit is cut (the rules then reject it as too long)
// so no validator ever walks a megabyte of input.
func clean(s string, limit int) string {
	if len(s) > limit*4+4 {
		s = s[:limit*4+4]
	}
	return s
}

// usable reports whether a free-form value can be looked at (login names).
func usable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// Register is the sign-up form.
type Register struct {
	Username, Email, Password, PasswordConfirm string
}

// ParseRegister reads the sign-up form; unknown fields are ignored.
func ParseRegister(get func(string) string) Register {
	return Register{
		Username:        clean(get("username"), auth.MaxUsernameLen),
		Email:           clean(get("email"), auth.MaxEmailLen),
		Password:        clean(get("password"), auth.MaxPasswordLen),
		PasswordConfirm: clean(get("password_confirm"), auth.MaxPasswordLen),
	}
}

// RegisterFields lists the sign-up fields in the order they are shown.
var RegisterFields = []string{"username", "email", "password", "password_confirm"}

// Field checks one field; on success it normalises the value in f.
func (f *Register) Field(name string) string {
	switch name {
	case "username":
		u, err := auth.ValidateUsername(f.Username)
		if err != nil {
			return err.Error()
		}
		f.Username = u
	case "email":
		e, err := auth.ValidateEmail(f.Email)
		if err != nil {
			return err.Error()
		}
		f.Email = e
	case "password":
		if err := auth.ValidatePassword(f.Password, f.Username, f.Email); err != nil {
			return err.Error()
		}
	case "password_confirm":
		return confirmMessage(f.Password, f.PasswordConfirm)
	}
	return ""
}

// Validate checks every field.
func (f *Register) Validate() Errors {
	errs := Errors{}
	for _, name := range RegisterFields {
		if msg := f.Field(name); msg != "" {
			errs[name] = msg
		}
	}
	return errs
}

func confirmMessage(password, confirm string) string {
	switch {
	case confirm == "":
		return "Type the password again."
	case confirm != password:
		return "The passwords do not match."
	}
	return ""
}

// Login is the sign-in form. RD is forward-auth's way back to another
// app (an absolute URL the handler checks).
type Login struct {
	Login, Password, Next, RD string
	Remember                  bool
}

// ParseLogin reads the sign-in form.
func ParseLogin(get func(string) string) Login {
	return Login{
		Login:    strings.TrimSpace(clean(get("login"), auth.MaxEmailLen)),
		Password: clean(get("password"), auth.MaxPasswordLen),
		Next:     clean(get("next"), 2048),
		RD:       clean(get("rd"), 2048),
		Remember: get("remember") == "on",
	}
}

// Validate checks only that something usable was typed; whether it is
// right is the password check's business.
func (f *Login) Validate() Errors {
	errs := Errors{}
	switch {
	case f.Login == "":
		errs["login"] = "Enter your username or email."
	case !usable(f.Login) || utf8.RuneCountInString(f.Login) > auth.MaxEmailLen:
		errs["login"] = "Enter a valid username or email."
	}
	switch {
	case f.Password == "":
		errs["password"] = "Enter your password."
	case utf8.RuneCountInString(f.Password) > auth.MaxPasswordLen || !usable(f.Password):
		errs["password"] = "Invalid username or password."
	}
	return errs
}

// PasswordChange is the form on /account/password.
type PasswordChange struct {
	Current, Password, PasswordConfirm string
}

// ParsePasswordChange reads the password-change form.
func ParsePasswordChange(get func(string) string) PasswordChange {
	return PasswordChange{
		Current:         clean(get("current_password"), auth.MaxPasswordLen),
		Password:        clean(get("password"), auth.MaxPasswordLen),
		PasswordConfirm: clean(get("password_confirm"), auth.MaxPasswordLen),
	}
}

// Validate checks the new password against the rules for this user.
func (f *PasswordChange) Validate(username, email string) Errors {
	errs := Errors{}
	if f.Current == "" {
		errs["current_password"] = "Enter your current password."
	}
	if err := auth.ValidatePassword(f.Password, username, email); err != nil {
		errs["password"] = err.Error()
	}
	if msg := confirmMessage(f.Password, f.PasswordConfirm); msg != "" {
		errs["password_confirm"] = msg
	}
	return errs
}

// SetPassword is a new password with its confirmation (reset, admin).
type SetPassword struct {
	Password, PasswordConfirm string
}

// ParseSetPassword reads password and password_confirm.
func ParseSetPassword(get func(string) string) SetPassword {
	return SetPassword{
		Password:        clean(get("password"), auth.MaxPasswordLen),
		PasswordConfirm: clean(get("password_confirm"), auth.MaxPasswordLen),
	}
}

// Validate checks the new password against the rules for this user.
func (f *SetPassword) Validate(username, email string) Errors {
	errs := Errors{}
	if err := auth.ValidatePassword(f.Password, username, email); err != nil {
		errs["password"] = err.Error()
	}
	if msg := confirmMessage(f.Password, f.PasswordConfirm); msg != "" {
		errs["password_confirm"] = msg
	}
	return errs
}
