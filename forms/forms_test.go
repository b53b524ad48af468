package forms

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func getter(v url.Values) func(string) string { return v.Get }

func TestRegisterValidate(t *testing.T) {
	t.Parallel()
	f := ParseRegister(getter(url.Values{"username": {" Ａlice "}, "email": {"a@EXAMPLE.com"},
		"password": {"violet ostrich mountain"}, "password_confirm": {"violet ostrich mountain"}, "is_superuser": {"on"}}))
	if errs := f.Validate(); errs.Any() {
		t.Fatalf("valid form: %v", errs)
	}
	if f.Username != "Alice" || f.Email != "a@example.com" {
		t.Fatalf("not normalised: %q %q", f.Username, f.Email)
	}
	f = ParseRegister(getter(url.Values{"password": {"abc"}, "password_confirm": {"abd"}}))
	errs := f.Validate()
	for _, k := range RegisterFields {
		if errs[k] == "" {
			t.Errorf("%s: no error for %+v", k, f)
		}
	}
}

func TestLoginValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v  url.Values
		ok bool
	}{
		{url.Values{"login": {"bob"}, "password": {"x"}}, true},
		{url.Values{"login": {"  "}, "password": {"x"}}, false},
		{url.Values{"login": {"bob"}}, false},
		{url.Values{"login": {"b\xffob"}, "password": {"x"}}, false},
		{url.Values{"login": {"bob"}, "password": {strings.Repeat("x", 1025)}}, false},
	} {
		f := ParseLogin(getter(tc.v))
		if got := !f.Validate().Any(); got != tc.ok {
			t.Errorf("%v: ok=%v", tc.v, got)
		}
	}
	if f := ParseLogin(getter(url.Values{"remember": {"on"}})); !f.Remember {
		t.Error("remember=on not read")
	}
	if f := ParseLogin(getter(url.Values{"remember": {"yes"}})); f.Remember {
		t.Error("remember must be exactly on")
	}
}

func TestPasswordChangeValidate(t *testing.T) {
	t.Parallel()
	f := ParsePasswordChange(getter(url.Values{"password": {"violet ostrich mountain"}, "password_confirm": {"violet ostrich mountain"}}))
	errs := f.Validate("bob", "bob@example.com")
	if errs["current_password"] == "" || errs["password"] != "" || errs["password_confirm"] != "" {
		t.Fatalf("errors: %v", errs)
	}
}

// Decoding never panics, never keeps more than a bounded amount of input,
// and every message is valid text.
func FuzzRegisterForm(f *testing.F) {
	f.Add("alice", "a@example.com", "violet ostrich mountain", "violet ostrich mountain")
	f.Add("\xff\x00", "@@", "", "\x00")
	f.Add(strings.Repeat("é", 200), strings.Repeat("a", 300)+"@x.io", "12345678", "1234567")
	f.Fuzz(func(t *testing.T, user, email, pw, confirm string) {
		v := url.Values{"username": {user}, "email": {email}, "password": {pw}, "password_confirm": {confirm}}
		form := ParseRegister(getter(v))
		if len(form.Username) > 150*4+4 || len(form.Password) > 1024*4+4 {
			t.Fatalf("unbounded field kept: %d %d", len(form.Username), len(form.Password))
		}
		errs := form.Validate()
		for k, msg := range errs {
			if !utf8.ValidString(msg) || strings.ContainsRune(msg, 0) {
				t.Fatalf("%s: message not clean text: %q", k, msg)
			}
		}
		if errs["username"] == "" && (!utf8.ValidString(form.Username) || strings.ContainsRune(form.Username, 0) || form.Username == "") {
			t.Fatalf("accepted username %q", form.Username)
		}
		if errs["email"] == "" && strings.Count(form.Email, "@") != 1 {
			t.Fatalf("accepted email %q", form.Email)
		}
	})
}

func FuzzLoginForm(f *testing.F) {
	f.Add("bob", "pw", "/account", "on")
	f.Add("\xff", "\x00", "//evil", "")
	f.Fuzz(func(t *testing.T, login, pw, next, remember string) {
		form := ParseLogin(getter(url.Values{"login": {login}, "password": {pw}, "next": {next}, "remember": {remember}}))
		errs := form.Validate()
		if !errs.Any() && (!utf8.ValidString(form.Login) || form.Login == "" || strings.ContainsRune(form.Login, 0)) {
			t.Fatalf("accepted login %q", form.Login)
		}
	})
}

func BenchmarkRegisterValidate(b *testing.B) {
	v := url.Values{"username": {"alice"}, "email": {"alice@example.com"},
		"password": {"violet ostrich mountain"}, "password_confirm": {"violet ostrich mountain"}}
	for b.Loop() {
		f := ParseRegister(getter(v))
		f.Validate()
	}
}
