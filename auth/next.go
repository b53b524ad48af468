package auth

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNextLen bounds redirect targets; longer values are not links anyone
// followed in good faith.
const maxNextLen = 2048

// SafeNext returns next unchanged if it is safe to redirect to after sign-in:
// a path on this site. Anything else yields ("", false) and the caller
// should fall back to its default page.
//
// Browsers are more lenient than url.Parse, so the rules are stricter than
// "has no host": "//evil.example" and "/\evil.example" are both treated by
// browsers as another host, backslashes are read as slashes, and tabs and
// newlines are silently removed ("/\t/evil.example"). Hence: exactly one
// leading "/", no backslash anywhere, no control characters, valid UTF-8.
func SafeNext(next string) (string, bool) {
	if len(next) < 1 || len(next) > maxNextLen || next[0] != '/' {
		return "", false
	}
	if len(next) > 1 && next[1] == '/' {
		return "", false
	}
	if strings.ContainsRune(next, '\\') || !utf8.ValidString(next) {
		return "", false
	}
	for _, r := range next {
		// unicode.IsControl covers C0, DEL and C1. Format characters such as
		// bidi overrides are rejected too: a legitimate path never needs
		// them and they make a link read differently from where it goes.
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", false
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	return next, true
}
