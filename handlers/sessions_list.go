package handlers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/gofiber/fiber/v3/middleware/session"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
)

// sessionHandle names a session in pages and forms. The id itself is the
// cookie's secret and never reaches HTML; the handle is an HMAC of it,
// matched against the user's own set of ids when a form comes back.
func (s *Server) sessionHandle(id string) string { return auth.Handle(s.SecretKey, "session", id) }

// userSessions lists a user's active sessions, current (this request's
// session id, or "") first, then the most recently seen. Ids whose session
// has ended on its own are dropped from the user's set on the way.
func (s *Server) userSessions(ctx context.Context, uid int64, currentID string) ([]pages.SessionRow, error) {
	key := userSessionsKey(uid)
	ids, err := s.Store.SetMembers(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("sessions of user %d: %w", uid, err)
	}
	var rows []pages.SessionRow
	var stale []string
	for _, id := range ids {
		sess, err := s.sessions.GetByID(ctx, id)
		if errors.Is(err, session.ErrSessionIDNotFoundInStore) {
			stale = append(stale, id)
			continue
		}
		if err != nil {
			s.Log.Warn("unreadable session", "user_id", uid, "err", err)
			continue
		}
		owner, _ := sess.Get(keyUserID).(int64)
		if owner != uid {
			sess.Release()
			stale = append(stale, id)
			continue
		}
		ua, _ := sess.Get(keyUA).(string)
		ip, _ := sess.Get(keyIP).(string)
		created, _ := sess.Get(keyCreated).(int64)
		seen, _ := sess.Get(keySeen).(int64)
		remember, _ := sess.Get(keyRemember).(bool)
		sess.Release()
		browser, os := auth.DescribeUserAgent(ua)
		row := pages.SessionRow{Handle: s.sessionHandle(id), Browser: browser, OS: os, IP: ip,
			Started: time.Unix(created, 0), LastSeen: time.Unix(seen, 0), Current: id == currentID, Remember: remember}
		if row.Current {
			row.LastSeen = s.Now()
		}
		rows = append(rows, row)
	}
	if len(stale) > 0 {
		if err := s.Store.SetRemove(ctx, key, stale...); err != nil {
			return nil, fmt.Errorf("sessions of user %d: drop ended: %w", uid, err)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Current != rows[j].Current {
			return rows[i].Current
		}
		return rows[i].LastSeen.After(rows[j].LastSeen)
	})
	return rows, nil
}

// sessionByHandle finds the id of a user's session from its handle.
func (s *Server) sessionByHandle(ctx context.Context, uid int64, handle string) (string, bool, error) {
	if len(handle) != 22 {
		return "", false, nil
	}
	ids, err := s.Store.SetMembers(ctx, userSessionsKey(uid))
	if err != nil {
		return "", false, fmt.Errorf("sessions of user %d: %w", uid, err)
	}
	for _, id := range ids {
		if s.sessionHandle(id) == handle {
			return id, true, nil
		}
	}
	return "", false, nil
}

// endSessionID deletes one session of a user from the store.
func (s *Server) endSessionID(ctx context.Context, uid int64, id string) error {
	if err := s.sessions.Delete(ctx, id); err != nil {
		return fmt.Errorf("end session of user %d: %w", uid, err)
	}
	if err := s.Store.SetRemove(ctx, userSessionsKey(uid), id); err != nil {
		return fmt.Errorf("end session of user %d: index: %w", uid, err)
	}
	return nil
}
