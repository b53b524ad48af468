package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxUsernameLen is the longest username accepted, in characters (runes)
// after normalisation, as in Django.
const MaxUsernameLen = 150

const (
	msgUsernameRequired = "Enter a username."
	msgUsernameTooLong  = "Use at most 150 characters."
	msgUsernameChars    = "Use only letters, digits and @ . + - _"
	msgUsernameScripts  = "Use letters of one alphabet only (for example all Latin or all Cyrillic), so the name cannot pass for another."
)

// ruleMixedScript: the letters of a username come from more than one
// script (Cyrillic "а" beside Latin "dmin" looks like "admin").
const ruleMixedScript = "mixed_script"

// NormalizeUsername applies NFKC and trims surrounding white space, so that
// visually identical names (full-width letters, ligatures, composed versus
// decomposed accents) are stored as one spelling.
func NormalizeUsername(s string) string {
	return strings.TrimSpace(norm.NFKC.String(s))
}

// ValidateUsername returns the normalised username, or a *RuleError whose
// Rule is "required", "max_length", "invalid" or "mixed_script". Allowed
// characters are Unicode letters and digits (judged after NFKC) and
// @ . + - _, and the letters of one name all come from one script
// (SingleScript), so that names that look alike are not told apart by an
// invisible change of alphabet.
func ValidateUsername(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", ruleError(ruleInvalid, msgUsernameChars)
	}
	// Bound the work done on absurd input before normalising it: NFKC can
	// shrink text only a few runes to one, so this many bytes can never
	// normalise to an acceptable name short of pathological padding.
	if len(strings.TrimSpace(s)) > 64*MaxUsernameLen {
		return "", ruleError(ruleMaxLength, msgUsernameTooLong)
	}
	n := NormalizeUsername(s)
	if n == "" {
		return "", ruleError(ruleRequired, msgUsernameRequired)
	}
	if utf8.RuneCountInString(n) > MaxUsernameLen {
		return "", ruleError(ruleMaxLength, msgUsernameTooLong)
	}
	for _, r := range n {
		if !usernameRune(r) {
			return "", ruleError(ruleInvalid, msgUsernameChars)
		}
	}
	if !SingleScript(n) {
		return "", ruleError(ruleMixedScript, msgUsernameScripts)
	}
	return n, nil
}

// The scripts checked first: the usual ones of usernames.
var commonScripts = []string{"Latin", "Cyrillic", "Greek", "Han", "Arabic", "Hebrew",
	"Hiragana", "Katakana", "Hangul", "Devanagari", "Thai", "Armenian", "Georgian"}

// scriptOf names the script of letter r ("" for Common and Inherited
// letters, which go with any script).
func scriptOf(r rune) string {
	if r < utf8.RuneSelf {
		return "Latin"
	}
	for _, name := range commonScripts {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	for name, table := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// scriptSet groups scripts written together as one, as Unicode TR39's
// "augmented script sets" do: Japanese mixes Han, Hiragana and Katakana;
// Korean Han and Hangul; Chinese Han and Bopomofo.
func scriptSet(script string) []string {
	switch script {
	case "Han":
		return []string{"Japanese", "Korean", "Chinese"}
	case "Hiragana", "Katakana":
		return []string{"Japanese"}
	case "Hangul":
		return []string{"Korean"}
	case "Bopomofo":
		return []string{"Chinese"}
	}
	return []string{script}
}

// SingleScript reports whether the letters of s all come from one script
// (digits and punctuation go with any; Han may go with Hiragana and
// Katakana, with Hangul, or with Bopomofo). It is TR39's "single script"
// test over letters: "иван" and "admin" pass, "аdmin" (Cyrillic а) fails.
func SingleScript(s string) bool {
	var sets []string // the script sets every letter so far belongs to
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		script := scriptOf(r)
		if script == "" {
			continue
		}
		own := scriptSet(script)
		if sets == nil {
			sets = own
			continue
		}
		var both []string
		for _, x := range sets {
			for _, y := range own {
				if x == y {
					both = append(both, x)
				}
			}
		}
		if len(both) == 0 {
			return false
		}
		sets = both
	}
	return true
}

func usernameRune(r rune) bool {
	switch r {
	case '@', '.', '+', '-', '_':
		return true
	}
	// NUL, controls, spaces and symbols all fall through to false.
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// UsernameKey returns the key that enforces case-insensitive uniqueness of
// usernames. It uses strings.ToLower (simple one-to-one case mapping) on the
// NFKC form rather than full case folding: it is the same mapping as
// EmailKey and IsCommonPassword, it never changes the length in runes, and
// it is easy to reproduce elsewhere. As a consequence "straße" and
// "STRASSE" are different keys. Normalising again makes the key safe to
// compute from input that skipped ValidateUsername.
func UsernameKey(normalized string) string {
	return strings.ToLower(NormalizeUsername(normalized))
}

// LoginKeys are the folded forms of what a visitor typed into the sign-in
// form's one field, which may be a username or an email address.
type LoginKeys struct {
	Username string // compared with username keys
	Email    string // compared with email keys
	Name     string // the typed name's rate-limit key
}

// NormalizeLogin folds a typed login once, for lookup and for counting.
func NormalizeLogin(login string) LoginKeys {
	lower := strings.ToLower(login)
	return LoginKeys{Username: UsernameKey(NormalizeUsername(login)), Email: lower, Name: lower}
}
