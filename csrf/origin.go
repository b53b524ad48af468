package csrf

import (
	"net/url"
	"strings"
)

// Verdict is what a request's Origin and Sec-Fetch-Site headers say about
// where a state-changing request came from.
type Verdict int

const (
	// SameOrigin: a page of this site sent it.
	SameOrigin Verdict = iota
	// Unsaid: neither header was sent (an old browser, or a client that is
	// not a browser). Such a request passes on a valid token alone: a
	// browser that sends neither header cannot be made to send a valid
	// token by another site either, since the token is bound to its own
	// cookie or session.
	Unsaid
	// CrossOrigin: another site (or an opaque "null" origin) sent it.
	CrossOrigin
)

// CheckOrigin judges a state-changing request. origin and fetchSite are
// its Origin and Sec-Fetch-Site headers; allowed are the origins this site
// answers as ("https://gate.example", as Origin spells them). Origin wins
// when present; Sec-Fetch-Site is read only when it is absent.
func CheckOrigin(origin, fetchSite string, allowed ...string) Verdict {
	if origin != "" {
		o := NormalizeOrigin(origin)
		if o == "" {
			return CrossOrigin
		}
		for _, a := range allowed {
			if a != "" && NormalizeOrigin(a) == o {
				return SameOrigin
			}
		}
		return CrossOrigin
	}
	switch strings.ToLower(strings.TrimSpace(fetchSite)) {
	case "":
		return Unsaid
	case "same-origin", "none":
		// "none": the user typed or bookmarked it, no page sent it.
		return SameOrigin
	default:
		return CrossOrigin
	}
}

// NormalizeOrigin spells an origin (or a URL, of which only the scheme and
// host count) as scheme://host[:port] in lower case without a default
// port; "" for anything that is not an http or https origin, "null"
// included.
func NormalizeOrigin(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" || u.User != nil {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := u.Port()
	if port == "" || scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		return scheme + "://" + host
	}
	return scheme + "://" + host + ":" + port
}

// OriginOf is the origin of a request that arrived for host (a Host
// header, with or without a port) over scheme; "" when they do not form
// one.
func OriginOf(scheme, host string) string {
	if host == "" || strings.ContainsAny(host, "/?#@ \\") {
		return ""
	}
	return NormalizeOrigin(scheme + "://" + host)
}
