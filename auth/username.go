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
)

// NormalizeUsername applies NFKC and trims surrounding white space, so that
// visually identical names (full-width letters, ligatures, composed versus
// decomposed accents) are stored as one spelling.
func NormalizeUsername(s string) string {
	return strings.TrimSpace(norm.NFKC.String(s))
}

// ValidateUsername returns the normalised username, or a *RuleError whose
// Rule is "required", "max_length" or "invalid". Allowed characters are
// Unicode letters and digits (judged after NFKC) and @ . + - _.
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
	return n, nil
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
