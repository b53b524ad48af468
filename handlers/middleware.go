package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/sessions"
)

const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func (s *Server) securityHeaders(c fiber.Ctx) error {
	h := &c.Response().Header
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if s.Config.SecureCookies() {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	// Pages show personal data: no shared cache may keep them. The static
	// handler replaces this for its long-lived files.
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "HX-Request")
	return c.Next()
}

func (s *Server) recoverPanic(c fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.Log.Error("panic", "err", r, "path", c.Path(), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}

// requestLog gives every request an id and a client IP, and logs one line
// when it ends.
func (s *Server) requestLog(c fiber.Ctx) error {
	start := time.Now()
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Locals(localRequestID, id)
	c.Set("X-Request-Id", id)
	ip := s.Proxies.ClientIP(c.RequestCtx().RemoteIP().String(), headerValues(c, "X-Forwarded-For"))
	c.Locals(localIP, ip)

	err := c.Next()
	if err != nil {
		if herr := s.handleError(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case forwardQuestion(c):
		// The proxy asks once per request of the app it guards and logs
		// that request itself; refusals are logged by logRefusal.
		level = slog.LevelDebug
	}
	if !s.Log.Enabled(c.Context(), level) {
		return nil
	}
	attrs := []any{"id", id, "method", c.Method(), "path", logPath(c.Path()), "status", status,
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000, "ip", ip}
	if v := viewerOf(c); v != nil {
		attrs = append(attrs, "user", v.User.Username, "user_id", v.User.ID)
	}
	s.Log.Log(c.Context(), level, "request", attrs...)
	return nil
}

func headerValues(c fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Request().Header.PeekAll(name) {
		out = append(out, string(v))
	}
	return out
}

// Locals keys.
const (
	localRequestID = "request_id"
	localIP        = "client_ip"
	localViewer    = "viewer"
)

// viewer is the signed-in user of this request, with permissions read once.
type viewer struct {
	User      *auth.User
	Principal auth.Principal
	// Pending is the user's email change as cached (nil: unknown).
	Pending *account.PendingChange
}

// forwardQuestion reports whether c is a reverse proxy's forward-auth
// question (server.go registers these paths).
func forwardQuestion(c fiber.Ctx) bool {
	p := c.Path()
	return p == "/auth/forward" || p == "/auth/request"
}

func viewerOf(c fiber.Ctx) *viewer {
	v, _ := c.Locals(localViewer).(*viewer)
	return v
}

func clientIP(c fiber.Ctx) string {
	ip, _ := c.Locals(localIP).(string)
	return ip
}

// loadViewer resolves the session to a user. A session of a deleted or
// inactive user ends here; an unknown session id is dropped, not kept.
func (s *Server) loadViewer(c fiber.Ctx) error {
	cur, ok := s.Sessions.Load(c)
	if !ok {
		// A session nobody signed into is not kept: a failed sign-in or an
		// unknown cookie leaves nothing on the server.
		if !StartsSession(c) {
			if err := s.Sessions.DropAnonymous(c); err != nil {
				return fmt.Errorf("drop empty session: %w", err)
			}
			return c.Next()
		}
		err := c.Next()
		if derr := s.Sessions.DropAnonymous(c); derr != nil && err == nil {
			err = fmt.Errorf("drop empty session: %w", derr)
		}
		return err
	}
	// Fiber's absolute timeout counts from when the anonymous session was
	// made, on the wall clock; this counts from sign-in, on the server's clock.
	if s.Now().Sub(cur.Created) > sessions.AbsoluteTimeout {
		if err := s.endSession(c, cur.UserID); err != nil {
			return err
		}
		return c.Next()
	}
	// The principal cached with the session costs no query; without one
	// (first request, or a version changed) it is read and cached again.
	p, ok := s.Sessions.Cached(c)
	if !ok {
		var err error
		p, err = s.Account.Principal(c.Context(), cur.UserID)
		if errors.Is(err, account.ErrNotFound) {
			if err := s.endSession(c, cur.UserID); err != nil {
				return err
			}
			return c.Next()
		}
		if err != nil {
			return err
		}
	}
	if forwardQuestion(c) {
		// A proxy's question sets no cookie (the proxy would not pass it
		// on, and the protected app must never see Gatehouse's).
		s.Sessions.Seen(c)
	} else {
		s.Sessions.Touch(c, cur)
	}
	c.Locals(localViewer, &viewer{User: p.User, Principal: p.Principal, Pending: p.Pending})
	return c.Next()
}
