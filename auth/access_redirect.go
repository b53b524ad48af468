package auth

import (
	"net/url"
	"strings"
)

// SafeReturn checks rd, the absolute URL forward-auth sends a visitor back
// to after sign-in or sign-out, and returns it when it is an http(s) URL
// whose host allowed accepts (allowed gets the host normalised by
// NormalizeHost: lower-case, no port). Anything else yields ("", false).
//
// As with SafeNext, the test is stricter than url.Parse, because browsers
// are more lenient: no backslashes, whitespace or control characters
// (browsers drop or rewrite them), no user info ("https://app@evil"), a
// scheme of exactly http or https, and "//" right after it.
func SafeReturn(rd string, allowed func(host string) bool) (string, bool) {
	if rd == "" || len(rd) > maxNextLen {
		return "", false
	}
	for i := 0; i < len(rd); i++ {
		if c := rd[i]; c <= ' ' || c == 0x7f || c == '\\' || c >= 0x80 {
			return "", false
		}
	}
	scheme, rest, ok := strings.Cut(rd, "://")
	if !ok || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return "", false
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if strings.ContainsRune(authority, '@') {
		return "", false
	}
	host, ok := NormalizeHost(authority)
	if !ok {
		return "", false
	}
	u, err := url.Parse(rd)
	if err != nil || u.User != nil || u.Opaque != "" || !strings.EqualFold(u.Host, authority) {
		return "", false
	}
	if !allowed(host) {
		return "", false
	}
	return rd, true
}

// SameHost reports whether the hosts of two URLs or host[:port] values
// name one host, ignoring case, a trailing dot and the port.
func SameHost(a, b string) bool {
	na, ok1 := NormalizeHost(a)
	nb, ok2 := NormalizeHost(b)
	return ok1 && ok2 && na == nb
}
