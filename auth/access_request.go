package auth

import (
	"net/netip"
	"path"
	"strings"
)

// maxHostLen bounds a host name (253) with a port.
const maxHostLen = 253 + 6

// NormalizeHost returns a Host-style value (a name or [IPv6 address],
// optionally with a port) lower-cased, without its port and without a
// trailing dot, so that "App.Example.COM.:443" and "app.example.com" are
// one host. Anything that is not a plain DNS name or IP literal — user
// info, slashes, percent escapes, non-ASCII — is refused: no host pattern
// could be meant to match it.
func NormalizeHost(h string) (string, bool) {
	if h == "" || len(h) > maxHostLen {
		return "", false
	}
	if h[0] == '[' {
		end := strings.IndexByte(h, ']')
		if end < 0 || !validPort(h[end+1:]) {
			return "", false
		}
		a, err := netip.ParseAddr(h[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", false
		}
		return "[" + a.String() + "]", true
	}
	name := h
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		if !validPort(h[i:]) {
			return "", false
		}
		name = h[:i]
	}
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return "", false
	}
	b := []byte(name)
	prev := byte('.')
	for i, c := range b {
		switch {
		case 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		case c == '.':
			if prev == '.' {
				return "", false // empty label
			}
		default:
			return "", false
		}
		prev = c
	}
	return string(b), true
}

// validPort accepts "" or ":" followed by 1 to 5 digits.
func validPort(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != ':' || len(s) < 2 || len(s) > 6 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizePath turns the path of a request URI, as a proxy forwards it
// ("/a/b?q=1"), into the path rules are matched against: the query and
// fragment dropped, percent escapes decoded once, dot segments resolved
// (path.Clean).
//
// Whatever could make the protected app see another path than the one
// matched is refused rather than guessed at, so "/static/../admin" and
// "/static/%2e%2e/admin" are matched as "/admin", and these are not
// matched at all (false): invalid escapes; an encoded "/" or "\" or "%"
// (an app that decodes again would find new segments or escapes); a
// backslash (some servers read it as "/"); control characters and NUL;
// dot segments with parameters ("/..;/", which Java servers resolve).
func NormalizePath(raw string) (string, bool) {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	if raw == "" || raw[0] != '/' || len(raw) > 8<<10 {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '%' {
			if i+2 >= len(raw) {
				return "", false
			}
			hi, ok1 := unhex(raw[i+1])
			lo, ok2 := unhex(raw[i+2])
			if !ok1 || !ok2 {
				return "", false
			}
			c = hi<<4 | lo
			if c == '/' || c == '%' {
				return "", false
			}
			i += 2
		}
		if c == '\\' || c < 0x20 || c == 0x7f {
			return "", false
		}
		b.WriteByte(c)
	}
	p := b.String()
	for seg := range strings.SplitSeq(p, "/") {
		if name, _, ok := strings.Cut(seg, ";"); ok && (name == "." || name == "..") {
			return "", false
		}
	}
	return path.Clean(p), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
