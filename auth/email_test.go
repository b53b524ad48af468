package auth

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestValidateEmail(t *testing.T) {
	t.Parallel()
	const (
		empty   = "Enter an email address."
		invalid = "Enter a valid email address."
		tooLong = "Use at most 254 characters."
	)
	local64 := strings.Repeat("a", 64)
	label63 := strings.Repeat("b", 63)
	// 64 + "@" + 63 + "." + 63 + "." + 57 + ".com" = 254.
	max254 := local64 + "@" + label63 + "." + label63 + "." + strings.Repeat("c", 57) + ".com"
	tests := []struct {
		name, in, want, wantMsg, wantRule string
	}{
		{"plain", "bob@example.com", "bob@example.com", "", ""},
		{"domain lower-cased", "Bob@Example.COM", "Bob@example.com", "", ""},
		{"trimmed", "  bob@example.com \n", "bob@example.com", "", ""},
		{"plus tag", "bob+news@example.com", "bob+news@example.com", "", ""},
		{"dots in local", "first.last@example.co.uk", "first.last@example.co.uk", "", ""},
		{"atext symbols", "a!#$%&'*+-/=?^_`{|}~z@example.com", "a!#$%&'*+-/=?^_`{|}~z@example.com", "", ""},
		{"hyphen in domain", "bob@my-site.example", "bob@my-site.example", "", ""},
		{"digits in domain", "bob@123.example", "bob@123.example", "", ""},
		{"idn domain", "bob@bücher.de", "bob@bücher.de", "", ""},
		{"idn upper", "bob@BÜCHER.DE", "bob@bücher.de", "", ""},
		{"punycode", "bob@xn--bcher-kva.de", "bob@xn--bcher-kva.de", "", ""},
		{"unicode local", "用户@例子.广告", "用户@例子.广告", "", ""},
		{"max length", max254, max254, "", ""},
		{"local 64", local64 + "@example.com", local64 + "@example.com", "", ""},
		{"label 63", "a@" + label63 + ".com", "a@" + label63 + ".com", "", ""},

		{"empty", "", "", empty, "required"},
		{"spaces", "   ", "", empty, "required"},
		{"too long", "a@" + strings.Repeat("b", 250) + ".com", "", tooLong, "max_length"},
		{"too long multibyte", "a@" + strings.Repeat("ü", 250) + ".de", "", tooLong, "max_length"},
		{"no at", "bob.example.com", "", invalid, "invalid"},
		{"two ats", "bob@smith@example.com", "", invalid, "invalid"},
		{"empty local", "@example.com", "", invalid, "invalid"},
		{"local 65", strings.Repeat("a", 65) + "@example.com", "", invalid, "invalid"},
		{"empty domain", "bob@", "", invalid, "invalid"},
		{"no dot in domain", "bob@localhost", "", invalid, "invalid"},
		{"leading dot domain", "bob@.example.com", "", invalid, "invalid"},
		{"trailing dot domain", "bob@example.com.", "", invalid, "invalid"},
		{"double dot domain", "bob@example..com", "", invalid, "invalid"},
		{"leading hyphen label", "bob@-example.com", "", invalid, "invalid"},
		{"trailing hyphen label", "bob@example-.com", "", invalid, "invalid"},
		{"hyphen tld", "bob@example.-com", "", invalid, "invalid"},
		{"label 64", "a@" + strings.Repeat("b", 64) + ".com", "", invalid, "invalid"},
		{"numeric tld", "bob@192.168.0.1", "", invalid, "invalid"},
		{"ip literal", "bob@[192.168.0.1]", "", invalid, "invalid"},
		{"underscore domain", "bob@ex_ample.com", "", invalid, "invalid"},
		{"space inside", "bob smith@example.com", "", invalid, "invalid"},
		{"space before at", "bob @example.com", "", invalid, "invalid"},
		{"nbsp inside", "bob\u00a0smith@example.com", "", invalid, "invalid"},
		{"tab inside", "bob\t@example.com", "", invalid, "invalid"},
		{"nul", "bob\x00@example.com", "", invalid, "invalid"},
		{"newline header injection", "bob@example.com\r\nBcc: x@evil.com", "", invalid, "invalid"},
		{"del", "bob\x7f@example.com", "", invalid, "invalid"},
		{"c1 control", "bob\u0085@example.com", "", invalid, "invalid"},
		{"zero width", "bob\u200b@example.com", "", invalid, "invalid"},
		{"bidi", "bob\u202e@example.com", "", invalid, "invalid"},
		{"invalid utf8", "b\xffob@example.com", "", invalid, "invalid"},
		{"leading dot local", ".bob@example.com", "", invalid, "invalid"},
		{"trailing dot local", "bob.@example.com", "", invalid, "invalid"},
		{"double dot local", "bo..b@example.com", "", invalid, "invalid"},
		{"comma", "bob,eve@example.com", "", invalid, "invalid"},
		{"angle brackets", "<bob@example.com>", "", invalid, "invalid"},
		{"display name", "Bob <bob@example.com>", "", invalid, "invalid"},
		{"quoted", `"bob"@example.com`, "", invalid, "invalid"},
		{"semicolon", "bob;eve@example.com", "", invalid, "invalid"},
		{"backslash", `bo\b@example.com`, "", invalid, "invalid"},
		{"slash in domain", "bob@example.com/x", "", invalid, "invalid"},
		{"emoji domain", "bob@😀.com", "", invalid, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ValidateEmail(tt.in)
			if tt.wantMsg == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ValidateEmail(%q) = %q, %v; want %q, nil", short(tt.in), got, err, tt.want)
				}
				return
			}
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("ValidateEmail(%q) = %q, %v; want *RuleError", short(tt.in), got, err)
			}
			if re.Message != tt.wantMsg || re.Rule != tt.wantRule {
				t.Errorf("ValidateEmail(%q) error = {%q, %q}, want {%q, %q}", short(tt.in), re.Rule, re.Message, tt.wantRule, tt.wantMsg)
			}
		})
	}
	if n := utf8.RuneCountInString(max254); n != MaxEmailLen {
		t.Fatalf("test setup: max254 has %d characters", n)
	}
}

func TestEmailKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Bob@example.com", "bob@example.com"},
		{"BOB@EXAMPLE.COM", "bob@example.com"},
		{"Zoë@bücher.de", "zoë@bücher.de"},
	}
	for _, tt := range tests {
		if got := EmailKey(tt.in); got != tt.want {
			t.Errorf("EmailKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzValidateEmail(f *testing.F) {
	for _, s := range []string{"bob@example.com", " Bob@Example.COM ", "a@b", "a@@b.c", "@.", "a@-b.c", "用户@例子.广告", "a.@b.c", "\x00@a.b", "a@b.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ValidateEmail(s)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) || re.Message == "" || re.Rule == "" {
				t.Fatalf("ValidateEmail(%q) error %#v is not a complete *RuleError", s, err)
			}
			return
		}
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > MaxEmailLen || strings.Count(got, "@") != 1 {
			t.Fatalf("ValidateEmail(%q) accepted %q", s, got)
		}
		for _, r := range got {
			if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>,;:"\()[]`, r) {
				t.Fatalf("ValidateEmail(%q) accepted %q with rune %U", s, got, r)
			}
		}
		local, domain, _ := strings.Cut(got, "@")
		if local == "" || !strings.Contains(domain, ".") || domain != strings.ToLower(domain) {
			t.Fatalf("ValidateEmail(%q) accepted %q", s, got)
		}
		again, err := ValidateEmail(got)
		if err != nil || again != got {
			t.Fatalf("ValidateEmail not idempotent: %q → %q → %q, %v", s, got, again, err)
		}
	})
}

func BenchmarkValidateEmail(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"ascii", "first.last+tag@mail.example.co.uk"},
		{"unicode", "用户@例子.广告"},
		{"invalid", "not an email"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = ValidateEmail(bc.in)
			}
		})
	}
}
