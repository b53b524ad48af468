package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Password length limits, in characters (runes). The maximum only exists so
// that nobody can make the server hash megabytes.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 1024
)

// maxSimilarity is the ratio at or above which a password counts as too
// similar to a user attribute (Django's default).
const maxSimilarity = 0.7

// minContainLen is the shortest string a containment test is done for:
// below it, "contains" matches by accident ("al" is in too many words).
const minContainLen = 4

// PasswordCheck is one line of the password checklist.
type PasswordCheck struct {
	ID    string
	Label string
	OK    bool
}

// passwordRule pairs a checklist line with the message shown when it is
// the first rule a password fails.
type passwordRule struct {
	id, label string
}

// The rules in the order they are shown and checked.
var passwordRules = [...]passwordRule{
	{"length", "At least 8 characters"},
	{"numeric", "Not only digits"},
	{"similar", "Not too similar to your username or email"},
	{"common", "Not a commonly used password"},
	{"strength", "Long enough or varied enough to be hard to guess"},
}

// PasswordChecklist evaluates every password rule, for the live checklist
// shown while the password is typed. username and email are the values
// typed alongside it; either may be empty.
func PasswordChecklist(password, username, email string) []PasswordCheck {
	n := utf8.RuneCountInString(password)
	results := [len(passwordRules)]bool{
		n >= MinPasswordLen && n <= MaxPasswordLen,
		!entirelyNumeric(password),
		!tooSimilar(password, username, email),
		!IsCommonPassword(password),
		Strength(password) > 0,
	}
	checks := make([]PasswordCheck, len(passwordRules))
	for i, r := range passwordRules {
		checks[i] = PasswordCheck{ID: r.id, Label: r.label, OK: results[i]}
	}
	return checks
}

// ValidatePassword returns nil if password passes every rule, else a
// *RuleError for the first rule it fails, with Rule set to that rule's
// checklist ID.
func ValidatePassword(password, username, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return ruleError("length", "Use at least 8 characters.")
	case n > MaxPasswordLen:
		return ruleError("length", "Use at most 1024 characters.")
	case entirelyNumeric(password):
		return ruleError("numeric", "This password is entirely numeric.")
	case tooSimilar(password, username, email):
		return ruleError("similar", "This password is too similar to your username or email.")
	case IsCommonPassword(password):
		return ruleError("common", "This password is too common.")
	case Strength(password) == 0:
		// Short, one kind of character, or a handful of distinct ones:
		// "abababab", "xkcdxkcd". Length or variety fixes it.
		return ruleError("strength", "This password is too weak: make it longer, or mix letters, digits and symbols.")
	}
	return nil
}

// entirelyNumeric mirrors Python's str.isdigit, which Django's
// NumericPasswordValidator uses: false for the empty string.
func entirelyNumeric(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// tooSimilar follows Django's UserAttributeSimilarityValidator: the
// lower-cased password is compared with each attribute and its parts, and
// is too similar if either contains the other or their difflib ratio
// reaches maxSimilarity. The email's domain is left out of the parts
// because a password containing "gmail" says nothing about the user.
func tooSimilar(password, username, email string) bool {
	if password == "" {
		return false
	}
	pw := strings.ToLower(password)
	pwRunes := []rune(pw)
	for _, attr := range similarityAttributes(username, email) {
		if utf8.RuneCountInString(attr) >= minContainLen && strings.Contains(pw, attr) {
			return true
		}
		if len(pwRunes) >= minContainLen && strings.Contains(attr, pw) {
			return true
		}
		ar := []rune(attr)
		if len(pwRunes) <= maxRatioLen && len(ar) <= maxRatioLen &&
			similarityRatio(pwRunes, ar) >= maxSimilarity {
			return true
		}
	}
	return false
}

// similarityAttributes returns the distinct lower-cased strings a password
// is compared with: the username, the email, the email's local part, and
// the parts of both the username and the local part split on anything but
// letters and digits (parts shorter than minContainLen are dropped).
func similarityAttributes(username, email string) []string {
	var attrs []string
	add := func(s string) {
		if s == "" {
			return
		}
		for _, a := range attrs {
			if a == s {
				return
			}
		}
		attrs = append(attrs, s)
	}
	addParts := func(s string) {
		add(s)
		for _, part := range strings.FieldsFunc(s, notAlphanumeric) {
			if utf8.RuneCountInString(part) >= minContainLen {
				add(part)
			}
		}
	}
	addParts(strings.ToLower(strings.TrimSpace(username)))
	email = strings.ToLower(strings.TrimSpace(email))
	add(email)
	if i := strings.LastIndexByte(email, '@'); i >= 0 {
		addParts(email[:i])
	} else {
		// Not an address yet (still being typed): treat it all as local.
		addParts(email)
	}
	return attrs
}

func notAlphanumeric(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
