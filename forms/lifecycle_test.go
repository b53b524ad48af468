package forms

import (
	"strings"
	"testing"
)

func TestEmailForm(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"  Ann@Example.COM ": "Ann@example.com",
		"":                   "",
		"not-an-address":     "",
		strings.Repeat("a", 5000) + "@example.com": "",
		"a\x00b@example.com":                       "",
	} {
		f := ParseEmail(func(string) string { return in })
		errs := f.Validate()
		if want == "" {
			if errs["email"] == "" {
				t.Errorf("%q accepted as %q", in, f.Email)
			}
			continue
		}
		if errs.Any() || f.Email != want {
			t.Errorf("%q: %q %v, want %q", in, f.Email, errs, want)
		}
	}
}
