package forms

import "github.com/gatehouse/gatehouse/auth"

// Email is a form with one address: the password-reset request and the
// email change.
type Email struct {
	Email string
}

// ParseEmail reads the field email.
func ParseEmail(get func(string) string) Email {
	return Email{Email: clean(get("email"), auth.MaxEmailLen)}
}

// Validate checks the address and normalises it in f.
func (f *Email) Validate() Errors {
	errs := Errors{}
	e, err := auth.ValidateEmail(f.Email)
	if err != nil {
		errs["email"] = err.Error()
		return errs
	}
	f.Email = e
	return errs
}
