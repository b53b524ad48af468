package handlers

import "strings"

// linkPrefixes are the paths whose last segment is a mailed secret.
var linkPrefixes = []string{"/password-reset/", "/verify-email/"}

// linkPages are the fixed pages under those prefixes, logged as they are.
var linkPages = map[string]bool{
	"/password-reset/sent": true, "/password-reset/set": true, "/verify-email/resend": true,
}

// logPath is a request path as logs may keep it: the token of a reset or
// verification link is masked ("/password-reset/…"), so an access log
// never holds a working link.
func logPath(path string) string {
	if linkPages[path] {
		return path
	}
	for _, p := range linkPrefixes {
		if strings.HasPrefix(path, p) && len(path) > len(p) {
			return p + "…"
		}
	}
	return path
}
