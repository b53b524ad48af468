package handlers

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/csrf"
	"github.com/gatehouse/gatehouse/sessions"
)

// CSRF (CONTRACT §8), stateless: see package csrf for the token. Every
// state-changing request must
//
//   - come from this site: its Origin is the base URL's origin or the
//     origin the request was addressed to (scheme and host as a trusted
//     proxy forwarded them, else as they reached us); without Origin, its
//     Sec-Fetch-Site must be same-origin. A request with neither header
//     (an old browser, a script) is judged by its token alone;
//   - carry a token (header X-CSRF-Token, or the body's csrf_token, never
//     the query string) bound to the signed-in session, or before sign-in
//     to this browser's signed gatehouse_csrf cookie.
//
// Nothing is stored: a visitor's GET only sets the cookie. Signing in or
// out gives the browser a new cookie, so tokens of the old state die.

// localCSRF holds the request's *csrfState; localHadSession whether the
// request came with a session cookie (the session middleware may drop it
// before csrfProtect runs).
const (
	localCSRF       = "csrf"
	localHadSession = "had_session_cookie"
)

// noteSessionCookie runs before the session middleware and records
// whether the request came with a session cookie.
func (s *Server) noteSessionCookie(c fiber.Ctx) error {
	c.Locals(localHadSession, c.Cookies(sessions.Cookie) != "")
	return c.Next()
}

// cookieBrowser is the purpose the CSRF cookie is signed for.
const cookieBrowser = "browser"

var (
	errCSRFOrigin   = errors.New("origin is another site")
	errCSRFNoToken  = errors.New("no token")
	errCSRFNoCookie = errors.New("no valid csrf cookie")
	errCSRFBadToken = errors.New("token does not match")
)

// csrfState is one request's view of its CSRF binding.
type csrfState struct {
	s      *Server
	signer *csrf.Signer
	// start is who was signed in when the request began ("" nobody).
	start string
	// stale: the request came with a session cookie that reaches no
	// signed-in session (ended elsewhere, or expired); its pages get a new
	// cookie too.
	stale bool
	// browser is the browser id this request's tokens are bound to, once
	// known; rotated says it was minted after a sign-in or sign-out.
	browser string
	rotated bool
	// settled is the binding of a request that ended in an error: its page
	// is rendered by handleError after the session was saved and released,
	// when the session can no longer be read.
	settled string
}

// csrfProtect refuses a state-changing request without a valid origin and
// token (403, nothing changes), and gives the browser a new cookie when
// the request signed in or out. It runs after loadViewer, which settles
// the session the token is bound to.
func (s *Server) csrfProtect(c fiber.Ctx) error {
	st := &csrfState{s: s, signer: s.signer, start: s.signedInAs(c)}
	hadSession, _ := c.Locals(localHadSession).(bool)
	st.stale = st.start == "" && hadSession
	c.Locals(localCSRF, st)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
	default:
		if err := st.check(c); err != nil {
			return s.csrfError(c, err)
		}
	}
	err := c.Next()
	st.finish(c)
	if err != nil {
		st.settled, _ = st.binding(c, true)
	}
	return err
}

// signedInAs names the request's signed-in session by its user and start,
// "" when nobody is signed in.
func (s *Server) signedInAs(c fiber.Ctx) string {
	cur, ok := s.Sessions.Load(c)
	if !ok {
		return ""
	}
	return strconv.FormatInt(cur.UserID, 10) + "@" + strconv.FormatInt(cur.Created.Unix(), 10)
}

func (st *csrfState) check(c fiber.Ctx) error {
	if csrf.CheckOrigin(c.Get(fiber.HeaderOrigin), c.Get("Sec-Fetch-Site"), st.s.siteOrigins(c)...) == csrf.CrossOrigin {
		return errCSRFOrigin
	}
	tok := c.Get("X-CSRF-Token")
	if tok == "" {
		tok = formValue(c, "csrf_token")
	}
	if tok == "" {
		return errCSRFNoToken
	}
	b, ok := st.binding(c, false)
	if !ok {
		return errCSRFNoCookie
	}
	if !st.signer.Valid(tok, b) {
		return errCSRFBadToken
	}
	return nil
}

// binding is what this request's tokens are bound to: the signed-in
// session, else the browser's cookie. mint makes a new cookie when the
// browser has none (or it was signed for another key); a check never does.
func (st *csrfState) binding(c fiber.Ctx, mint bool) (string, bool) {
	if st.settled != "" {
		return st.settled, true
	}
	if cur, ok := st.s.Sessions.Load(c); ok {
		secret, _ := st.s.Sessions.CSRFSecret(c)
		return csrf.SessionBinding(cur.UserID, cur.Created.Unix(), secret), true
	}
	// A check reads the cookie the browser has; a page after a change of
	// who is signed in gets a new one.
	changed := st.s.signedInAs(c) != st.start || mint && st.stale
	if st.browser == "" && !changed {
		if id, ok := st.signer.OpenCookie(cookieBrowser, c.Cookies(csrfCookie)); ok {
			st.browser = id
		}
	}
	if changed && !st.rotated {
		st.browser = ""
	}
	if st.browser == "" {
		if !mint {
			return "", false
		}
		st.mint(c, changed)
	}
	return csrf.BrowserBinding(st.browser), true
}

// mint gives the browser a new signed cookie. It is a browser-session
// cookie, HttpOnly, SameSite=Lax, Secure with an https base URL; its value
// is random and signed, and names nothing on the server.
func (st *csrfState) mint(c fiber.Ctx, rotation bool) {
	id, value := st.signer.NewCookie(cookieBrowser)
	st.browser, st.rotated = id, rotation
	c.Cookie(&fiber.Cookie{
		Name: csrfCookie, Value: value, Path: "/",
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: st.s.Config.SecureCookies(), SessionOnly: true,
	})
}

// finish rotates the browser's cookie after a sign-in or sign-out (unless
// a page rendered since already did), and gives a new session its secret
// while this request still holds it.
func (st *csrfState) finish(c fiber.Ctx) {
	if st.s.signedInAs(c) == st.start && !st.stale {
		return
	}
	if !st.rotated {
		st.mint(c, true)
	}
	_, _ = st.s.Sessions.CSRFSecret(c)
}

// csrfToken is the token the forms of this request's page carry.
func csrfToken(c fiber.Ctx) string {
	st, _ := c.Locals(localCSRF).(*csrfState)
	if st == nil {
		return ""
	}
	b, ok := st.binding(c, true)
	if !ok {
		return ""
	}
	return st.signer.Token(b)
}

// siteOrigins are the origins this request may come from: the base URL's,
// and the one it was addressed to. X-Forwarded-Proto and X-Forwarded-Host
// count only from a trusted proxy; from anyone else the connection's own
// scheme and Host header do.
func (s *Server) siteOrigins(c fiber.Ctx) []string {
	scheme := "http"
	if c.RequestCtx().IsTLS() {
		scheme = "https"
	}
	host := string(c.Request().Header.Host())
	if s.Proxies.TrustsRemote(c.RequestCtx().RemoteIP().String()) {
		if p := strings.ToLower(firstListed(c.Get(fiber.HeaderXForwardedProto))); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstListed(c.Get(fiber.HeaderXForwardedHost)); h != "" {
			host = h
		}
	}
	var base string
	if s.Config.BaseURL != nil {
		base = csrf.NormalizeOrigin(s.Config.BaseURL.String())
	}
	return []string{base, csrf.OriginOf(scheme, host)}
}

// firstListed is the first entry of a comma-separated header: the one the
// proxy nearest the client wrote.
func firstListed(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}
