package auth

import (
	"unicode"
	"unicode/utf8"
)

// Strength returns a rough 0 (very weak) to 4 (strong) estimate for the
// strength bar next to the password field. It is a nudge, not a gate:
// ValidatePassword decides what is accepted. The score grows with length,
// gains a point for mixing at least three character classes, loses one for
// using a single class or very few distinct characters, and is 0 for
// passwords that are too short or common and at most 1 if entirely numeric.
// A score of 0 also fails ValidatePassword (the "too weak" rule).
func Strength(password string) int {
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen || IsCommonPassword(password) {
		return 0
	}
	var score int
	switch {
	case n >= 20:
		score = 4
	case n >= 14:
		score = 3
	case n >= 10:
		score = 2
	default:
		score = 1
	}
	classes, distinct := charClasses(password)
	switch {
	case classes >= 3:
		score++
	case classes == 1:
		score--
	}
	switch {
	case distinct <= 2: // "aaaa…", "abab…"
		score = 0
	case distinct < 5:
		score = min(score, 1)
	}
	if entirelyNumeric(password) {
		score = min(score, 1)
	}
	return max(0, min(score, 4))
}

// charClasses counts the classes used among lower-case, upper-case, digit
// and other, and the number of distinct runes (up to 5, enough for the
// caller's purpose and keeping the work small).
func charClasses(s string) (classes, distinct int) {
	var lower, upper, digit, other bool
	var seen [5]rune
	for _, r := range s {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
		if distinct < len(seen) {
			dup := false
			for _, x := range seen[:distinct] {
				if x == r {
					dup = true
					break
				}
			}
			if !dup {
				seen[distinct] = r
				distinct++
			}
		}
	}
	for _, b := range [...]bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	return classes, distinct
}
