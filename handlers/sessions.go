package handlers

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/session"

	"github.com/gatehouse/gatehouse/models"
)

// userSessionsKey names the set of a user's session ids in the store, so
// "end my other sessions" needs no scan.
func userSessionsKey(uid int64) string { return "usess:" + strconv.FormatInt(uid, 10) }

// startSession signs u in on this request: a new session id (the one held
// before no longer works), the user's id, and the facts the sessions page shows.
func (s *Server) startSession(c fiber.Ctx, u *models.User, remember bool) error {
	m := session.FromContext(c)
	if m == nil {
		return fmt.Errorf("start session: no session middleware on %s", c.Path())
	}
	if old, _ := m.Get(keyUserID).(int64); old != 0 {
		_ = s.Store.SetRemove(c.Context(), userSessionsKey(old), m.ID())
	}
	if err := m.Regenerate(); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	now := s.Now().Unix()
	m.Set(keyUserID, u.ID)
	m.Set(keyAuthAt, now)
	m.Set(keyCreated, now)
	m.Set(keySeen, now)
	m.Set(keyRemember, remember)
	m.Set(keyIP, clientIP(c))
	m.Set(keyUA, truncate(c.Get(fiber.HeaderUserAgent), 300))
	timeout := idleTimeout
	if remember {
		timeout = rememberTimeout
	}
	m.Session.SetIdleTimeout(timeout)
	c.Locals(localRemember, remember)
	if err := s.Store.SetAdd(c.Context(), userSessionsKey(u.ID), m.ID(), absoluteTimeout); err != nil {
		return fmt.Errorf("start session: index: %w", err)
	}
	return nil
}

// endSession deletes this request's session on the server and clears the cookie.
func (s *Server) endSession(c fiber.Ctx, m *session.Middleware, uid int64) error {
	id := m.ID()
	if err := m.Destroy(); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	if uid != 0 {
		if err := s.Store.SetRemove(c.Context(), userSessionsKey(uid), id); err != nil {
			return fmt.Errorf("end session: index: %w", err)
		}
	}
	c.Locals(localViewer, nil)
	return nil
}

// endSessions deletes every session of a user except keep (which may be "").
func (s *Server) endSessions(ctx context.Context, uid int64, keep string) (int, error) {
	ids, err := s.Store.SetMembers(ctx, userSessionsKey(uid))
	if err != nil {
		return 0, fmt.Errorf("end sessions of user %d: %w", uid, err)
	}
	var ended []string
	for _, id := range ids {
		if id == keep {
			continue
		}
		if err := s.sessions.Delete(ctx, id); err != nil {
			return len(ended), fmt.Errorf("end session of user %d: %w", uid, err)
		}
		ended = append(ended, id)
	}
	if err := s.Store.SetRemove(ctx, userSessionsKey(uid), ended...); err != nil {
		return len(ended), fmt.Errorf("end sessions of user %d: index: %w", uid, err)
	}
	return len(ended), nil
}

// rotateSession gives the current session a new id, keeping its data, e.g.
// after a password change, so a copied cookie stops working.
func (s *Server) rotateSession(c fiber.Ctx, uid int64) error {
	m := session.FromContext(c)
	if m == nil {
		return nil
	}
	old := m.ID()
	if err := m.Regenerate(); err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	if err := s.Store.SetRemove(c.Context(), userSessionsKey(uid), old); err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	if err := s.Store.SetAdd(c.Context(), userSessionsKey(uid), m.ID(), absoluteTimeout); err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	return nil
}

func currentSessionID(c fiber.Ctx) string {
	if m := session.FromContext(c); m != nil {
		return m.ID()
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
