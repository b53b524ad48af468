package account

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// Session is one of a user's sessions as the pages show it. The id is the
// cookie's secret and never leaves the server; the handle (an HMAC of it)
// names the session in pages and forms.
type Session struct {
	Handle          string
	IP, UserAgent   string
	Started, SeenAt time.Time
	Current         bool
	Remember        bool
}

// sessionHandle names a session in pages and forms.
func (s *Service) sessionHandle(id string) string { return auth.Handle(s.secret, "session", id) }

// Sessions lists a user's live sessions, current (the request's session id,
// or "") first, then the most recently seen.
func (s *Service) Sessions(ctx context.Context, userID int64, currentID string) ([]Session, error) {
	infos, err := s.sessions.List(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]Session, 0, len(infos))
	for _, in := range infos {
		row := Session{Handle: s.sessionHandle(in.ID), IP: in.IP, UserAgent: in.UserAgent,
			Started: in.Started, SeenAt: in.SeenAt, Current: in.ID == currentID, Remember: in.Remember}
		if row.Current {
			row.SeenAt = s.clock.Now()
		}
		out = append(out, row)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Current != out[j].Current {
			return out[i].Current
		}
		return out[i].SeenAt.After(out[j].SeenAt)
	})
	return out, nil
}

// sessionByHandle finds the id of a user's session from its handle.
func (s *Service) sessionByHandle(ctx context.Context, userID int64, handle string) (string, error) {
	if len(handle) != 22 {
		return "", ErrSessionNotFound
	}
	infos, err := s.sessions.List(ctx, userID)
	if err != nil {
		return "", err
	}
	for _, in := range infos {
		if s.sessionHandle(in.ID) == handle {
			return in.ID, nil
		}
	}
	return "", ErrSessionNotFound
}

// SignOutSession ends the session of u named by handle. When it is the
// current one (currentID), nothing is ended here and current is true: the
// caller signs out the request's own session.
func (s *Service) SignOutSession(ctx context.Context, u *auth.User, handle, currentID string, from Client) (current bool, err error) {
	id, err := s.sessionByHandle(ctx, u.ID, handle)
	if err != nil {
		return false, err
	}
	if id == currentID {
		return true, nil
	}
	if err := s.sessions.End(ctx, u.ID, id); err != nil {
		return false, err
	}
	s.Record(ctx, from, "session_revoked", u.ID, u.Username, "")
	s.log.Info("session revoked", "user", u.Username, "user_id", u.ID, "ip", from.IP)
	return false, nil
}

// SignOutOthers ends every session of u but keep (the current one).
func (s *Service) SignOutOthers(ctx context.Context, u *auth.User, keep string, from Client) (int, error) {
	n, err := s.sessions.EndAll(ctx, u.ID, keep)
	if err != nil {
		return n, err
	}
	s.Record(ctx, from, "sessions_revoked", u.ID, u.Username, strconv.Itoa(n)+" other sessions")
	s.log.Info("sessions revoked", "user", u.Username, "user_id", u.ID, "ended", n, "ip", from.IP)
	return n, nil
}

// EndSessionByHandle ends the session of a user named by handle, without
// recording it (the caller's use case does).
func (s *Service) EndSessionByHandle(ctx context.Context, userID int64, handle string) error {
	id, err := s.sessionByHandle(ctx, userID, handle)
	if err != nil {
		return err
	}
	return s.sessions.End(ctx, userID, id)
}
