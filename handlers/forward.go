package handlers

import (
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
)

// Forward-auth (CONTRACT §9): the answers shared by /auth/forward
// (forward_auth.go) and /auth/request (forward_request.go). Both run
// before the CSRF middleware (they are GETs and change nothing, and so
// never set its cookie), create no session and write nothing.

// untrustedWarned: a question from an untrusted address was logged at
// warning level once already.
var untrustedWarned atomic.Bool

// original is the request a proxy asks about.
type original struct {
	method, scheme, host, uri string
	// req is what the rules match; pathOK is false when the path is one
	// no rule may be matched against (auth.NormalizePath).
	req    auth.AccessRequest
	pathOK bool
}

// url is the original request's absolute URL, where sign-in sends the
// visitor back. Raw non-ASCII bytes some clients send are percent-encoded,
// as a browser would, so the URL passes the rd check.
func (o *original) url() string { return o.scheme + "://" + o.host + escapeNonASCII(o.uri) }

func escapeNonASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			if b.Len() == 0 {
				b.Grow(len(s) + 16)
				b.WriteString(s[:i])
			}
			fmt.Fprintf(&b, "%%%02X", c)
		} else if b.Len() > 0 {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

// forwardDecision reads the original request and decides it. ok is false
// when the answer (404 without rules, 400 for a request that is not a
// trusted proxy's question) was already sent.
func (s *Server) forwardDecision(c fiber.Ctx) (o original, d account.AccessDecision, ok bool, err error) {
	if !s.Account.AccessEnabled() {
		return o, d, false, s.notFound(c)
	}
	remote, _ := netip.AddrFromSlice(c.RequestCtx().RemoteIP())
	if !s.Proxies.Trusts(remote) {
		// Likely a proxy missing from GATEHOUSE_TRUSTED_PROXIES: said
		// loudly once, then at debug, so a client hammering the route
		// cannot flood the log.
		level := slog.LevelDebug
		if untrustedWarned.CompareAndSwap(false, true) {
			level = slog.LevelWarn
		}
		s.Log.Log(c.Context(), level, "forward-auth: asked by an address not in GATEHOUSE_TRUSTED_PROXIES",
			"ip", c.RequestCtx().RemoteIP().String())
		return o, d, false, c.Status(fiber.StatusBadRequest).SendString("forward-auth answers only trusted proxies\n")
	}
	o, good := readOriginal(c, s.Config.BaseURL.Scheme)
	if !good {
		s.Log.Debug("forward-auth: no usable original request", "ip", clientIP(c))
		return o, d, false, c.Status(fiber.StatusBadRequest).SendString("no original request (X-Forwarded-Host and X-Forwarded-Uri, or X-Original-URL)\n")
	}
	o.req.Client, _ = netip.ParseAddr(clientIP(c))
	var who *account.Signed
	if v := viewerOf(c); v != nil {
		who = &account.Signed{User: v.User, Principal: v.Principal}
	}
	if !o.pathOK {
		// A path that could reach the app as another one is refused to
		// everyone: deny, not a guess.
		d = account.AccessDecision{Verdict: auth.Refuse, Level: auth.Level{Kind: auth.LevelDeny}}
	} else {
		d = s.Account.Authorize(o.req, who, false)
	}
	if d.Verdict != auth.Allow {
		s.logRefusal(c, &o, d)
	}
	return o, d, true, nil
}

// logRefusal notes a refused or sent-to-sign-in request: at debug for
// anonymous visitors (every first visit is one), at info for a signed-in
// user refused, which someone may need to explain.
func (s *Server) logRefusal(c fiber.Ctx, o *original, d account.AccessDecision) {
	level, user := slog.LevelDebug, ""
	if v := viewerOf(c); v != nil {
		level, user = slog.LevelInfo, v.User.Username
	}
	msg := "forward-auth: refused"
	if d.Verdict == auth.NeedSignIn {
		msg = "forward-auth: sign-in needed"
	}
	s.Log.Log(c.Context(), level, msg, "ip", clientIP(c), "user", user, "method", o.method,
		"host", o.req.Host, "path", truncateLog(o.req.Path), "path_ok", o.pathOK, "rule_line", d.Rule, "require", d.Level.String())
}

func truncateLog(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// readOriginal reads the original request from Traefik's and Caddy's
// X-Forwarded-Method/-Proto/-Host/-Uri or nginx's X-Original-Method and
// X-Original-URL. The host and URI (or the URL) must be there; without a
// method the request is taken for a GET (every proxy sends one), without
// a scheme the base URL's is used (it only shapes the way back after
// sign-in). A header sent twice, an unknown scheme or a host that is not a
// host name make it unusable.
//
// Each proxy sets its own set and passes the client's other headers on
// untouched, so a request carrying both sets is refused: whichever set
// came from the client, it must not be the one believed.
func readOriginal(c fiber.Ctx, defaultScheme string) (original, bool) {
	var o original
	h := &c.Request().Header
	nginx := h.Peek("X-Original-URL") != nil || h.Peek("X-Original-Method") != nil
	if nginx && (h.Peek("X-Forwarded-Uri") != nil || h.Peek("X-Forwarded-Method") != nil) {
		return o, false
	}
	var ok, ok1, ok2 bool
	if nginx {
		raw, found := single(c, "X-Original-URL")
		if !found {
			return o, false
		}
		if o.scheme, raw, found = strings.Cut(raw, "://"); !found {
			return o, false
		}
		o.host, o.uri = raw, "/"
		if i := strings.IndexAny(raw, "/?"); i >= 0 {
			o.host, o.uri = raw[:i], raw[i:]
		}
		o.method, ok = optional(c, "X-Original-Method", fiber.MethodGet)
	} else {
		o.host, ok1 = single(c, "X-Forwarded-Host")
		o.uri, ok2 = single(c, "X-Forwarded-Uri")
		if !ok1 || !ok2 {
			return o, false
		}
		if o.scheme, ok = optional(c, "X-Forwarded-Proto", defaultScheme); !ok {
			return o, false
		}
		o.method, ok = optional(c, "X-Forwarded-Method", fiber.MethodGet)
	}
	if !ok {
		return o, false
	}
	o.scheme = strings.ToLower(o.scheme)
	if o.scheme != "http" && o.scheme != "https" {
		return o, false
	}
	if strings.HasPrefix(o.uri, "?") {
		o.uri = "/" + o.uri
	}
	if !validURI(o.uri) || !validMethod(o.method) {
		return o, false
	}
	host, ok := auth.NormalizeHost(o.host)
	if !ok {
		return o, false
	}
	o.req.Method, o.req.Host = o.method, host
	o.req.Path, o.pathOK = auth.NormalizePath(o.uri)
	return o, true
}

// single is the value of a header sent exactly once and not empty.
func single(c fiber.Ctx, name string) (string, bool) {
	all := c.Request().Header.PeekAll(name)
	if len(all) != 1 || len(all[0]) == 0 {
		return "", false
	}
	return string(all[0]), true
}

// optional is the value of a header sent at most once, else def when it
// is absent or empty; false when it was sent twice.
func optional(c fiber.Ctx, name, def string) (string, bool) {
	all := c.Request().Header.PeekAll(name)
	switch {
	case len(all) > 1:
		return "", false
	case len(all) == 0 || len(all[0]) == 0:
		return def, true
	}
	return string(all[0]), true
}

// validURI accepts a request target as a proxy forwards it: absolute
// path, no spaces or control characters, bounded. Raw non-ASCII bytes
// pass (nginx forwards them as the client sent them).
func validURI(u string) bool {
	if u == "" || u[0] != '/' || len(u) > 8<<10 {
		return false
	}
	for i := 0; i < len(u); i++ {
		if u[i] <= ' ' || u[i] == 0x7f {
			return false
		}
	}
	return true
}

func validMethod(m string) bool {
	if m == "" || len(m) > 20 {
		return false
	}
	for i := 0; i < len(m); i++ {
		if m[i] < 'A' || m[i] > 'Z' {
			return false
		}
	}
	return true
}

// allowed answers 200 with the identity headers, every one always set
// (empty for an anonymous visitor), so no value the client sent with the
// same name can reach the app.
func allowed(c fiber.Ctx, id account.Identity) error {
	h := &c.Response().Header
	h.SetCanonical(hRemoteUser, []byte(id.Username))
	h.SetCanonical(hRemoteEmail, []byte(id.Email))
	h.SetCanonical(hRemoteGroups, []byte(strings.Join(id.Groups, ",")))
	h.SetCanonical(hRemotePerms, []byte(strings.Join(id.Perms, ",")))
	return c.SendStatus(fiber.StatusOK)
}

// The identity headers' names, canonical already (answered on every
// request of a protected app: no normalising them each time).
var (
	hRemoteUser   = []byte("Remote-User")
	hRemoteEmail  = []byte("Remote-Email")
	hRemoteGroups = []byte("Remote-Groups")
	hRemotePerms  = []byte("Remote-Permissions")
)

// refused answers 403 in plain text: the page is shown on the app's host,
// where Gatehouse's stylesheet is not.
func refused(c fiber.Ctx) error {
	return c.Status(fiber.StatusForbidden).SendString("Forbidden\n")
}

// signInURL is the sign-in page that sends the visitor back to o.
func (s *Server) signInURL(o *original) string {
	return strings.TrimRight(s.Config.BaseURL.String(), "/") + "/login?rd=" + url.QueryEscape(o.url())
}
