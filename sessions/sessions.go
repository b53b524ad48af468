// Package sessions keeps signed-in sessions: it starts, rotates and ends
// the current request's session (Fiber's session middleware holds it) and
// ends or lists a user's other sessions through a per-user index in the
// store, so "sign out everywhere" needs no scan. No other package writes a
// session key.
package sessions

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/session"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/kv"
)

// Cookie is the session cookie's name.
const Cookie = "gatehouse_session"

// Lifetimes of a session.
const (
	IdleTimeout     = 2 * time.Hour
	RememberTimeout = 14 * 24 * time.Hour
	AbsoluteTimeout = 30 * 24 * time.Hour
)

// Keys of a session's data.
const (
	keyUserID   = "uid"
	keyAuthAt   = "auth_at" // last time the password was entered (unix)
	keyRemember = "remember"
	keyCreated  = "created"
	keySeen     = "seen"
	keyIP       = "ip"
	keyUA       = "ua"
)

// Manager is the session store of signed-in users.
type Manager struct {
	store *session.Store
	kv    kv.Store
	now   func() time.Time
	mw    fiber.Handler
	// onError answers a request whose session the store could not load or save.
	onError func(c fiber.Ctx, err error)
}

var _ account.Sessions = (*Manager)(nil)

// Config is how a Manager is built.
type Config struct {
	Store        kv.Store
	Now          func() time.Time
	SecureCookie bool
	// Starts names the requests that may create a session (a sign-in
	// form); every other request without a cookie gets none.
	Starts func(c fiber.Ctx) bool
}

// New builds a Manager and its middleware.
func New(cfg Config) *Manager {
	m := &Manager{kv: cfg.Store, now: cfg.Now}
	starts := cfg.Starts
	if starts == nil {
		starts = func(fiber.Ctx) bool { return false }
	}
	mw, store := session.NewWithStore(session.Config{
		Storage:         dataStorage{cfg.Store},
		KeyGenerator:    newID,
		Extractor:       cookieID(),
		CookiePath:      "/",
		CookieSameSite:  fiber.CookieSameSiteLaxMode,
		CookieHTTPOnly:  true,
		CookieSecure:    cfg.SecureCookie,
		IdleTimeout:     IdleTimeout,
		AbsoluteTimeout: AbsoluteTimeout,
		// Visitors get no session until they sign in: an anonymous GET
		// writes nothing to the store. A cookie that is not a session id
		// counts as none and is never looked up.
		Next: func(c fiber.Ctx) bool { return !WellFormedID(c.Cookies(Cookie)) && !starts(c) },
		ErrorHandler: func(c fiber.Ctx, err error) {
			if m.onError != nil {
				m.onError(c, err)
			}
		},
	})
	m.store, m.mw = store, mw
	return m
}

// OnError sets how a request is answered when the store fails; the HTTP
// layer sets it before serving.
func (m *Manager) OnError(f func(c fiber.Ctx, err error)) { m.onError = f }

// Middleware loads and saves the request's session.
func (m *Manager) Middleware() fiber.Handler { return m.mw }

// indexKey names the set of a user's session ids.
func indexKey(uid int64) string { return indexPrefix + strconv.FormatInt(uid, 10) }

// Current is the signed-in state of this request's session.
type Current struct {
	UserID   int64
	Created  time.Time
	AuthAt   time.Time
	Remember bool
}

// Load reads the request's session; ok is false when nobody is signed in.
func (m *Manager) Load(c fiber.Ctx) (cur Current, ok bool) {
	s := session.FromContext(c)
	if s == nil {
		return Current{}, false
	}
	uid, _ := s.Get(keyUserID).(int64)
	if uid == 0 {
		return Current{}, false
	}
	created, _ := s.Get(keyCreated).(int64)
	authAt, _ := s.Get(keyAuthAt).(int64)
	remember, _ := s.Get(keyRemember).(bool)
	return Current{UserID: uid, Created: time.Unix(created, 0), AuthAt: time.Unix(authAt, 0), Remember: remember}, true
}

// Touch records that the session was used now and keeps a remembered
// session's longer idle timeout.
func (m *Manager) Touch(c fiber.Ctx, cur Current) {
	s := session.FromContext(c)
	if s == nil {
		return
	}
	if cur.Remember {
		s.Session.SetIdleTimeout(RememberTimeout)
	}
	s.Set(keySeen, m.now().Unix())
}

// Start signs uid in on this request: a new session id (the one held before
// no longer works), the user, and the facts the sessions page shows.
func (m *Manager) Start(c fiber.Ctx, uid int64, remember bool, ip, ua string) error {
	s := session.FromContext(c)
	if s == nil {
		return fmt.Errorf("start session: no session middleware on %s", c.Path())
	}
	if old, _ := s.Get(keyUserID).(int64); old != 0 {
		_ = m.kv.SetRemove(c.Context(), indexKey(old), s.ID())
	}
	if err := s.Regenerate(); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	now := m.now().Unix()
	s.Set(keyUserID, uid)
	s.Set(keyAuthAt, now)
	s.Set(keyCreated, now)
	s.Set(keySeen, now)
	s.Set(keyRemember, remember)
	s.Set(keyIP, ip)
	s.Set(keyUA, truncate(ua, 300))
	timeout := IdleTimeout
	if remember {
		timeout = RememberTimeout
	}
	s.Session.SetIdleTimeout(timeout)
	if err := m.kv.SetAdd(c.Context(), indexKey(uid), s.ID(), AbsoluteTimeout); err != nil {
		return fmt.Errorf("start session: index: %w", err)
	}
	return nil
}

// MarkAuthenticated records that the password was just entered again.
func (m *Manager) MarkAuthenticated(c fiber.Ctx) {
	if s := session.FromContext(c); s != nil {
		s.Set(keyAuthAt, m.now().Unix())
	}
}

// Rotate gives the current session a new id, keeping its data, e.g. after
// a password change, so a copied cookie stops working.
func (m *Manager) Rotate(c fiber.Ctx, uid int64) error {
	s := session.FromContext(c)
	if s == nil {
		return nil
	}
	old := s.ID()
	if err := s.Regenerate(); err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	if err := m.kv.SetRemove(c.Context(), indexKey(uid), old); err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	if err := m.kv.SetAdd(c.Context(), indexKey(uid), s.ID(), AbsoluteTimeout); err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	return nil
}

// EndCurrent deletes this request's session on the server (uid: its user,
// 0 for an anonymous one) and clears the cookie.
func (m *Manager) EndCurrent(c fiber.Ctx, uid int64) error {
	s := session.FromContext(c)
	if s == nil {
		return nil
	}
	id := s.ID()
	if err := s.Destroy(); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	if uid != 0 {
		if err := m.kv.SetRemove(c.Context(), indexKey(uid), id); err != nil {
			return fmt.Errorf("end session: index: %w", err)
		}
	}
	return nil
}

// DropAnonymous deletes this request's session when nobody signed into
// it: a failed sign-in or an unknown cookie leaves nothing on the server.
func (m *Manager) DropAnonymous(c fiber.Ctx) error {
	if _, ok := m.Load(c); ok {
		return nil
	}
	return m.EndCurrent(c, 0)
}

// CurrentID is this request's session id ("" without one).
func (m *Manager) CurrentID(c fiber.Ctx) string {
	if s := session.FromContext(c); s != nil {
		return s.ID()
	}
	return ""
}

// EndAll deletes every session of a user except keep (which may be "").
func (m *Manager) EndAll(ctx context.Context, uid int64, keep string) (int, error) {
	ids, err := m.kv.SetMembers(ctx, indexKey(uid))
	if err != nil {
		return 0, fmt.Errorf("end sessions of user %d: %w", uid, err)
	}
	var ended []string
	for _, id := range ids {
		if id == keep {
			continue
		}
		if err := m.store.Delete(ctx, id); err != nil {
			return len(ended), fmt.Errorf("end session of user %d: %w", uid, err)
		}
		ended = append(ended, id)
	}
	if err := m.kv.SetRemove(ctx, indexKey(uid), ended...); err != nil {
		return len(ended), fmt.Errorf("end sessions of user %d: index: %w", uid, err)
	}
	return len(ended), nil
}

// End deletes one session of a user.
func (m *Manager) End(ctx context.Context, uid int64, id string) error {
	if err := m.store.Delete(ctx, id); err != nil {
		return fmt.Errorf("end session of user %d: %w", uid, err)
	}
	if err := m.kv.SetRemove(ctx, indexKey(uid), id); err != nil {
		return fmt.Errorf("end session of user %d: index: %w", uid, err)
	}
	return nil
}

// List returns a user's live sessions. Ids whose session ended on its own
// are dropped from the index on the way.
func (m *Manager) List(ctx context.Context, uid int64) ([]account.SessionInfo, error) {
	key := indexKey(uid)
	ids, err := m.kv.SetMembers(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("sessions of user %d: %w", uid, err)
	}
	var out []account.SessionInfo
	var stale []string
	for _, id := range ids {
		sess, err := m.store.GetByID(ctx, id)
		if errors.Is(err, session.ErrSessionIDNotFoundInStore) {
			stale = append(stale, id)
			continue
		}
		if err != nil {
			// An unreadable session is not listed; it ends on its own.
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
		out = append(out, account.SessionInfo{ID: id, IP: ip, UserAgent: ua,
			Started: time.Unix(created, 0), SeenAt: time.Unix(seen, 0), Remember: remember})
	}
	if len(stale) > 0 {
		if err := m.kv.SetRemove(ctx, key, stale...); err != nil {
			return nil, fmt.Errorf("sessions of user %d: drop ended: %w", uid, err)
		}
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
