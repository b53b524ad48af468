package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxEmailLen is the longest address accepted, in characters: the longest
// path SMTP allows (RFC 5321) minus the angle brackets.
const MaxEmailLen = 254

// maxLocalLen is the longest local part SMTP allows (RFC 5321, 4.5.3.1.1).
const maxLocalLen = 64

// maxLabelLen is the longest DNS label (RFC 1035).
const maxLabelLen = 63

const (
	msgEmailRequired = "Enter an email address."
	msgEmailInvalid  = "Enter a valid email address."
	msgEmailTooLong  = "Use at most 254 characters."
)

// ValidateEmail returns the address with surrounding white space removed and
// the domain lower-cased, or a *RuleError whose Rule is "required",
// "max_length" or "invalid". The local part is kept as typed because mail
// servers may treat it case-sensitively.
//
// The check is deliberately syntactic (no DNS): the local part must be a
// dot-atom (RFC 5322 atext, plus non-ASCII letters as RFC 6531 allows; no
// quoted strings, so no commas or angle brackets that could split an
// address when it is put in a mail header), and the domain must be a
// dotted host name whose top-level label is not numeric (no IP literals).
func ValidateEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ruleError(ruleRequired, msgEmailRequired)
	}
	if !utf8.ValidString(s) {
		return "", ruleError(ruleInvalid, msgEmailInvalid)
	}
	if utf8.RuneCountInString(s) > MaxEmailLen {
		return "", ruleError(ruleMaxLength, msgEmailTooLong)
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") || !validLocalPart(local) || !validDomain(domain) {
		return "", ruleError(ruleInvalid, msgEmailInvalid)
	}
	return local + "@" + strings.ToLower(domain), nil
}

// EmailKey returns the key that enforces uniqueness of addresses regardless
// of case. Lower-casing the local part too is stricter than SMTP but
// matches what users expect: nobody owns both Bob@ and bob@ at one domain.
func EmailKey(normalized string) string {
	return strings.ToLower(normalized)
}

func validLocalPart(local string) bool {
	if local == "" || utf8.RuneCountInString(local) > maxLocalLen {
		return false
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if !localRune(r) {
			return false
		}
	}
	return true
}

func localRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
			strings.ContainsRune(".!#$%&'*+-/=?^_`{|}~", r)
	}
	// Non-ASCII: anything printable that is not white space.
	return !unicode.IsControl(r) && !unicode.IsSpace(r) && unicode.IsPrint(r)
}

func validDomain(domain string) bool {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !validLabel(l) {
			return false
		}
	}
	return !allDigits(labels[len(labels)-1])
}

// validLabel accepts LDH labels, extended to Unicode letters and digits so
// that internationalised domains can be typed without punycode.
func validLabel(l string) bool {
	if l == "" || utf8.RuneCountInString(l) > maxLabelLen || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
