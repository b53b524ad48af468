package auth

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNormalizeUsername(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"alice", "alice"},
		{"  alice \t\n", "alice"},
		{"ａｌｉｃｅ", "alice"},          // full-width
		{"ﬁona", "fiona"},           // ligature
		{"cafe\u0301", "caf\u00e9"}, // decomposed → composed
		{"\u3000bob\u3000", "bob"},  // ideographic space becomes a space, then trimmed
		{"Ⅸ", "IX"},                 // roman numeral
		{"x\u00a0y", "x y"},         // NBSP inside becomes a space (then rejected by Validate)
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeUsername(tt.in); got != tt.want {
			t.Errorf("NormalizeUsername(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateUsername(t *testing.T) {
	t.Parallel()
	const (
		empty   = "Enter a username."
		tooLong = "Use at most 150 characters."
		chars   = "Use only letters, digits and @ . + - _"
		scripts = "Use letters of one alphabet only (for example all Latin or all Cyrillic), so the name cannot pass for another."
	)
	tests := []struct {
		name, in, want, wantMsg, wantRule string
	}{
		{"plain", "alice", "alice", "", ""},
		{"mixed case kept", "Alice", "Alice", "", ""},
		{"all punctuation allowed", "a@b.c+d-e_f", "a@b.c+d-e_f", "", ""},
		{"only punctuation", "@.+-_", "@.+-_", "", ""},
		{"digits", "2024", "2024", "", ""},
		{"trimmed", "  bob  ", "bob", "", ""},
		{"unicode letters", "Zoë", "Zoë", "", ""},
		{"cyrillic", "Андрей", "Андрей", "", ""},
		{"cjk", "山田太郎", "山田太郎", "", ""},
		{"arabic digits", "user٣", "user٣", "", ""},
		{"full-width normalised", "ｂｏｂ", "bob", "", ""},
		{"decomposed accent composes", "jose\u0301", "jos\u00e9", "", ""},
		{"exactly 150", strings.Repeat("a", 150), strings.Repeat("a", 150), "", ""},
		{"150 multibyte", strings.Repeat("é", 150), strings.Repeat("é", 150), "", ""},

		{"empty", "", "", empty, "required"},
		{"spaces only", "   ", "", empty, "required"},
		{"ideographic space only", "\u3000", "", empty, "required"},
		{"151", strings.Repeat("a", 151), "", tooLong, "max_length"},
		{"151 multibyte", strings.Repeat("é", 151), "", tooLong, "max_length"},
		{"expands past 150", strings.Repeat("ﬀ", 76), "", tooLong, "max_length"},
		{"megabyte", strings.Repeat("a", 1<<20), "", tooLong, "max_length"},
		{"space inside", "al ice", "", chars, "invalid"},
		{"tab inside", "al\tice", "", chars, "invalid"},
		{"nul", "al\x00ice", "", chars, "invalid"},
		{"trailing nul", "alice\x00", "", chars, "invalid"},
		{"invalid utf8", "al\xffice", "", chars, "invalid"},
		{"truncated utf8", "alic\xc3", "", chars, "invalid"},
		{"slash", "a/b", "", chars, "invalid"},
		{"apostrophe", "o'brien", "", chars, "invalid"},
		{"html", "<b>", "", chars, "invalid"},
		{"emoji", "bob😀", "", chars, "invalid"},
		{"zero width space", "bo\u200bb", "", chars, "invalid"},
		{"bidi override", "bob\u202e", "", chars, "invalid"},
		{"combining mark alone", "\u0301", "", chars, "invalid"},
		{"newline inside", "a\nb", "", chars, "invalid"},

		// One script per name: letters from two alphabets can pass for a
		// third name (Cyrillic а beside Latin dmin reads "admin").
		{"pure cyrillic", "иван", "иван", "", ""},
		{"cyrillic with digits and punctuation", "иван_2024@почта.рф", "иван_2024@почта.рф", "", ""},
		{"greek", "Αλέξανδρος", "Αλέξανδρος", "", ""},
		{"japanese han with kana", "山田たろうタロウ", "山田たろうタロウ", "", ""},
		{"korean han with hangul", "金철수", "金철수", "", ""},
		{"latin with arabic digits", "user٣", "user٣", "", ""},
		{"cyrillic а in admin", "аdmin", "", scripts, "mixed_script"},
		{"greek omicron in google", "gοogle", "", scripts, "mixed_script"},
		{"latin o in a cyrillic name", "ивaн", "", scripts, "mixed_script"},
		{"latin beside han", "bob山田", "", scripts, "mixed_script"},
		{"hiragana beside hangul", "たろ철수", "", scripts, "mixed_script"},
		{"cyrillic and latin words", "ivan.иванов", "", scripts, "mixed_script"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ValidateUsername(tt.in)
			if tt.wantMsg == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ValidateUsername(%q) = %q, %v; want %q, nil", short(tt.in), got, err, tt.want)
				}
				return
			}
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("ValidateUsername(%q) = %q, %v; want *RuleError", short(tt.in), got, err)
			}
			if re.Message != tt.wantMsg || re.Rule != tt.wantRule || err.Error() != tt.wantMsg {
				t.Errorf("ValidateUsername(%q) error = {%q, %q}, want {%q, %q}", short(tt.in), re.Rule, re.Message, tt.wantRule, tt.wantMsg)
			}
			if got != "" {
				t.Errorf("ValidateUsername(%q) returned %q with an error", short(tt.in), got)
			}
		})
	}
}

func TestUsernameKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ a, b string }{
		{"Alice", "alice"},
		{"ALICE", "alice"},
		{"ＡＬＩＣＥ", "alice"},
		{"Zoë", "ZOË"},
		{"Андрей", "андрей"},
		{"jose\u0301", "JOSÉ"},
	}
	for _, tt := range tests {
		if ka, kb := UsernameKey(tt.a), UsernameKey(tt.b); ka != kb {
			t.Errorf("UsernameKey(%q) = %q, UsernameKey(%q) = %q; want equal", tt.a, ka, tt.b, kb)
		}
	}
	// Documented choice: simple lower-casing, not full case folding.
	if UsernameKey("straße") == UsernameKey("STRASSE") {
		t.Error("UsernameKey folds ß to ss; documented as strings.ToLower")
	}
	if UsernameKey("alice") == UsernameKey("alicf") {
		t.Error("distinct names share a key")
	}
}

func FuzzValidateUsername(f *testing.F) {
	for _, s := range []string{"alice", "  Bob ", "ｂｏｂ", "a b", "\x00", "\xff", "ﬀ", "jose\u0301", strings.Repeat("a", 151), "@.+-_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ValidateUsername(s)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) || re.Message == "" || re.Rule == "" {
				t.Fatalf("ValidateUsername(%q) error %#v is not a complete *RuleError", s, err)
			}
			return
		}
		if got == "" || !utf8.ValidString(got) || utf8.RuneCountInString(got) > MaxUsernameLen {
			t.Fatalf("ValidateUsername(%q) accepted %q", s, got)
		}
		for _, r := range got {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("@.+-_", r) {
				t.Fatalf("ValidateUsername(%q) accepted %q with rune %U", s, got, r)
			}
		}
		// Accepted names are fixed points: revalidating changes nothing.
		again, err := ValidateUsername(got)
		if err != nil || again != got {
			t.Fatalf("ValidateUsername(%q) = %q, but ValidateUsername(%q) = %q, %v", s, got, got, again, err)
		}
		if k := UsernameKey(got); k != UsernameKey(k) {
			t.Fatalf("UsernameKey not idempotent on %q", got)
		}
	})
}

func BenchmarkValidateUsername(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"ascii", "alice.smith+test"},
		{"unicode", "  Ｊｏｓｅ\u0301_山田  "},
		{"max", strings.Repeat("é", MaxUsernameLen)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = ValidateUsername(bc.in)
			}
		})
	}
}

// short keeps failure messages readable for huge inputs.
func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func TestNormalizeLogin(t *testing.T) {
	k := NormalizeLogin("Alice@Example.COM")
	if k.Email != "alice@example.com" || k.Name != "alice@example.com" {
		t.Fatalf("email keys %+v", k)
	}
	if NormalizeLogin("ALICE").Username != NormalizeLogin("alice").Username {
		t.Fatal("usernames in other cases fold apart")
	}
	if NormalizeLogin("ｂｏｂ").Username != NormalizeLogin("bob").Username {
		t.Fatal("fullwidth letters are not folded (NFKC)")
	}
}
