package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestPasswordChecklistOrderAndLabels(t *testing.T) {
	t.Parallel()
	want := []PasswordCheck{
		{"length", "At least 8 characters", false},
		{"numeric", "Not only digits", true},
		{"similar", "Not too similar to your username or email", true},
		{"common", "Not a commonly used password", true},
		{"strength", "Long enough or varied enough to be hard to guess", false},
	}
	got := PasswordChecklist("", "", "")
	if len(got) != len(want) {
		t.Fatalf("PasswordChecklist returned %d checks, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("check %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestPasswordChecklist(t *testing.T) {
	t.Parallel()
	// want lists the OK flags for length, numeric, similar, common.
	tests := []struct {
		name, password, username, email string
		want                            [4]bool
	}{
		{"empty", "", "", "", [4]bool{false, true, true, true}},
		{"good", "correct horse battery staple", "bob", "bob@example.com", [4]bool{true, true, true, true}},
		{"short", "Xk9#mP2", "", "", [4]bool{false, true, true, true}},
		{"eight runes", "ééééééé€", "", "", [4]bool{true, true, true, true}},
		{"seven runes many bytes", "ééééééé", "", "", [4]bool{false, true, true, true}},
		{"max length", strings.Repeat("xq", MaxPasswordLen/2), "", "", [4]bool{true, true, true, true}},
		{"over max", strings.Repeat("x", MaxPasswordLen+1), "", "", [4]bool{false, true, true, true}},
		{"numeric uncommon", "98237461", "", "", [4]bool{true, false, true, true}},
		{"numeric common", "12345678", "", "", [4]bool{true, false, true, false}},
		{"arabic-indic digits", "١٢٣٤٥٦٧٨", "", "", [4]bool{true, false, true, true}},
		{"common", "password", "", "", [4]bool{true, true, true, false}},
		{"common any case", "PassWord", "", "", [4]bool{true, true, true, false}},
		{"contains username", "alice2024!x", "alice", "", [4]bool{true, true, false, true}},
		{"contains username any case", "xxALICExx", "Alice", "", [4]bool{true, true, false, true}},
		{"username contains password", "longusername", "superlongusername2024", "", [4]bool{true, true, false, true}},
		{"ratio only", "alexandr99", "alexander", "", [4]bool{true, true, false, true}},
		{"username part", "smithereens!", "john_smith", "", [4]bool{true, true, false, true}},
		{"short username ignored for contains", "xalx12345", "al", "", [4]bool{true, true, true, true}},
		{"email local part", "jsmith-rocks", "", "jsmith@example.com", [4]bool{true, true, false, true}},
		{"email local part split", "smithy-rocks-99", "", "john.smith@example.com", [4]bool{true, true, false, true}},
		{"email whole", "bob@example.com", "", "bob@example.com", [4]bool{true, true, false, true}},
		{"email domain not a part", "zebracorp-rules", "", "bob@zebracorp.com", [4]bool{true, true, true, true}},
		{"email short part ignored", "jo-is-great-2024", "", "jo.x@example.com", [4]bool{true, true, true, true}},
		{"email being typed", "marianne-2024", "", "marianne", [4]bool{true, true, false, true}},
		{"unrelated", "Tr0ub4dor&3", "alice", "alice@example.com", [4]bool{true, true, true, true}},
		{"all fail but numeric", "alice", "alice", "", [4]bool{false, true, false, false}},
		{"huge password skips ratio", strings.Repeat("ab", 5000), "abab", "", [4]bool{false, true, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checks := PasswordChecklist(tt.password, tt.username, tt.email)
			for i, c := range checks[:len(tt.want)] {
				if c.OK != tt.want[i] {
					t.Errorf("PasswordChecklist(%q, %q, %q): %s OK = %v, want %v", short(tt.password), tt.username, tt.email, c.ID, c.OK, tt.want[i])
				}
			}
			// ValidatePassword agrees with the checklist.
			err := ValidatePassword(tt.password, tt.username, tt.email)
			firstFail := ""
			for _, c := range checks {
				if !c.OK {
					firstFail = c.ID
					break
				}
			}
			var re *RuleError
			switch {
			case firstFail == "" && err != nil:
				t.Errorf("ValidatePassword = %v, checklist all OK", err)
			case firstFail != "" && (!errors.As(err, &re) || re.Rule != firstFail):
				t.Errorf("ValidatePassword = %v, want rule %q", err, firstFail)
			}
		})
	}
}

// The "too weak" rule refuses what is short and plain, or built from a
// handful of characters, and says how to fix it.
func TestTooWeak(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		password string
		weak     bool
	}{
		{"abababab", true},
		{"xkcdxkcd", true},
		{"qzmxnvbt", true},
		{strings.Repeat("a", 40), true},
		{"qzmxnvbt7", false},
		{"violet ostrich mountain", false},
		{"Tr0ub4dor&3", false},
		{"qzmxnvbtlw", false},
	} {
		err := ValidatePassword(tc.password, "", "")
		var re *RuleError
		isWeak := errors.As(err, &re) && re.Rule == "strength"
		if isWeak != tc.weak {
			t.Errorf("ValidatePassword(%q) = %v, want weak=%v", tc.password, err, tc.weak)
		}
		if isWeak && !strings.Contains(re.Message, "too weak") {
			t.Errorf("message %q does not say which rule", re.Message)
		}
	}
}

func TestValidatePasswordMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		password, username, email, wantRule, wantMsg string
	}{
		{"", "", "", "length", "Use at least 8 characters."},
		{"1234567", "", "", "length", "Use at least 8 characters."},
		{strings.Repeat("x", 1025), "", "", "length", "Use at most 1024 characters."},
		{"98237461", "", "", "numeric", "This password is entirely numeric."},
		{"12345678", "", "", "numeric", "This password is entirely numeric."},
		{"alice1234", "alice", "", "similar", "This password is too similar to your username or email."},
		{"alice1234", "", "alice@example.com", "similar", "This password is too similar to your username or email."},
		{"password", "bob", "bob@example.com", "common", "This password is too common."},
		{"iloveyou", "", "", "common", "This password is too common."},
		{"Tr0ub4dor&3", "alice", "alice@example.com", "", ""},
		{strings.Repeat("xq3", 341), "", "", "", ""},
	}
	for _, tt := range tests {
		err := ValidatePassword(tt.password, tt.username, tt.email)
		if tt.wantRule == "" {
			if err != nil {
				t.Errorf("ValidatePassword(%q) = %v, want nil", short(tt.password), err)
			}
			continue
		}
		var re *RuleError
		if !errors.As(err, &re) || re.Rule != tt.wantRule || re.Message != tt.wantMsg {
			t.Errorf("ValidatePassword(%q, %q, %q) = %#v, want {%q, %q}", short(tt.password), tt.username, tt.email, err, tt.wantRule, tt.wantMsg)
		}
	}
}

func TestSimilarityAttributes(t *testing.T) {
	t.Parallel()
	got := similarityAttributes(" John_Smith ", "J.Smith@Example.COM")
	want := []string{"john_smith", "john", "smith", "j.smith@example.com", "j.smith"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("similarityAttributes = %q, want %q", got, want)
	}
	if got := similarityAttributes("", ""); len(got) != 0 {
		t.Fatalf("similarityAttributes of empty = %q", got)
	}
}

func FuzzValidatePassword(f *testing.F) {
	f.Add("correct horse", "alice", "alice@example.com")
	f.Add("12345678", "", "")
	f.Add("password", "x", "y")
	f.Add("\xff\xfe", "\x00", "@")
	f.Add("alexandr99", "alexander", "a@b")
	f.Fuzz(func(t *testing.T, password, username, email string) {
		checks := PasswordChecklist(password, username, email)
		if len(checks) != len(passwordRules) {
			t.Fatalf("got %d checks", len(checks))
		}
		err := ValidatePassword(password, username, email)
		allOK := true
		for _, c := range checks {
			allOK = allOK && c.OK
		}
		if allOK != (err == nil) {
			t.Fatalf("checklist all OK = %v but ValidatePassword = %v", allOK, err)
		}
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) || re.Message == "" {
				t.Fatalf("error %#v is not a *RuleError", err)
			}
		}
		if s := Strength(password); s < 0 || s > 4 {
			t.Fatalf("Strength(%q) = %d", password, s)
		}
		// Without attributes, similarity never fails.
		if !PasswordChecklist(password, "", "")[2].OK {
			t.Fatalf("similar failed with no username or email for %q", password)
		}
	})
}

func BenchmarkPasswordChecklist(b *testing.B) {
	for _, bc := range []struct{ name, password, username, email string }{
		{"typical", "correct horse battery staple", "alice.smith", "alice.smith@example.com"},
		{"max length", strings.Repeat("xq", MaxPasswordLen/2), "alice.smith", "alice.smith@example.com"},
		{"ratio cap", strings.Repeat("ab", maxRatioLen/2), strings.Repeat("ba", 75), "x@example.com"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				PasswordChecklist(bc.password, bc.username, bc.email)
			}
		})
	}
}

func BenchmarkValidatePassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = ValidatePassword("correct horse battery staple", "alice.smith", "alice.smith@example.com")
	}
}
