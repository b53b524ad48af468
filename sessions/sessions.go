// Package sessions keeps signed-in sessions: its middleware reads the
// request's session together with its user's cached principal in one round
// trip to the store, and writes it back only when it changed ("last seen"
// at most once a minute). It starts, rotates and ends the current
// request's session and ends or lists a user's other sessions through a
// per-user index in the store, so "sign out everywhere" needs no scan. No
// other package writes a session key.
package sessions

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"

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
	// SeenInterval is how stale "last seen" may get: a session is written
	// back at most this often when nothing else about it changed, and its
	// idle timeout is extended with that write.
	SeenInterval = time.Minute
)

// Store is what sessions need of the session store.
type Store interface {
	kv.Store
	kv.Sessions
}

// Manager is the session store of signed-in users.
type Manager struct {
	kv     Store
	now    func() time.Time
	starts func(c fiber.Ctx) bool
	cookie fiber.Cookie
	log    interface {
		Warn(msg string, args ...any)
	}
	// onError answers a request whose session the store could not load or save.
	onError func(c fiber.Ctx, err error)
	// principals and records spare a request decoding what an earlier
	// one decoded already.
	principals decodeMemo[cached]
	records    decodeMemo[record]
}

var _ account.Sessions = (*Manager)(nil)

// Config is how a Manager is built.
type Config struct {
	Store        Store
	Now          func() time.Time
	SecureCookie bool
	// CookieDomain, when set, is the cookie's Domain (subdomains share it).
	CookieDomain string
	// Starts names the requests that may create a session (a sign-in
	// form); every other request without a cookie gets none.
	Starts func(c fiber.Ctx) bool
	// Log receives failures to invalidate cached principals.
	Log interface{ Warn(msg string, args ...any) }
}

// New builds a Manager.
func New(cfg Config) *Manager {
	m := &Manager{kv: cfg.Store, now: cfg.Now, starts: cfg.Starts, log: cfg.Log,
		cookie: fiber.Cookie{
			Name: Cookie, Path: "/", Domain: cfg.CookieDomain, SameSite: fiber.CookieSameSiteLaxMode,
			HTTPOnly: true, Secure: cfg.SecureCookie,
		}}
	if m.starts == nil {
		m.starts = func(fiber.Ctx) bool { return false }
	}
	if m.now == nil {
		m.now = time.Now
	}
	return m
}

// OnError sets how a request is answered when the store fails; the HTTP
// layer sets it before serving.
func (m *Manager) OnError(f func(c fiber.Ctx, err error)) { m.onError = f }

// indexKey names the set of a user's session ids.
func indexKey(uid int64) string { return indexPrefix + strconv.FormatInt(uid, 10) }

// record is a session's data in the store (JSON).
type record struct {
	UID      int64  `json:"u"`
	AuthAt   int64  `json:"a"` // last time the password was entered (unix)
	Created  int64  `json:"c"`
	Seen     int64  `json:"s"`
	Remember bool   `json:"r,omitempty"`
	IP       string `json:"ip,omitempty"`
	UA       string `json:"ua,omitempty"`
	CSRF     string `json:"x,omitempty"`
}

// idle is how long the session lives unused.
func (r record) idle() time.Duration {
	if r.Remember {
		return RememberTimeout
	}
	return IdleTimeout
}

// live reports whether the session is within its idle and absolute limits
// on the server's clock (the store's expiry runs on its own clock).
func (r record) live(now time.Time) bool {
	return r.UID != 0 && now.Sub(time.Unix(r.Seen, 0)) <= r.idle() && now.Sub(time.Unix(r.Created, 0)) <= AbsoluteTimeout
}

// state is the request's session, kept in its Locals.
type state struct {
	id        string // "" until Start gives it one
	cookieID  string // the well-formed id the request's cookie held
	rec       record
	principal []byte // the cached principal, nil when none was valid
	stored    bool   // the cookie's id named something in the store
	dirty     bool   // rec must be written back
	setCookie bool
}

func (s *state) signedIn() bool { return s != nil && s.id != "" && s.rec.UID != 0 }

const localState = "gatehouse.session"

func stateOf(c fiber.Ctx) *state {
	st, _ := c.Locals(localState).(*state)
	return st
}

// Middleware loads the request's session and saves it after the handler
// when it changed. A request without a well-formed session cookie that
// may not start a session gets none and costs nothing.
func (m *Manager) Middleware() fiber.Handler { return m.handle }

func (m *Manager) handle(c fiber.Ctx) error {
	id := c.Cookies(Cookie)
	well := WellFormedID(id)
	if !well && !m.starts(c) {
		return c.Next()
	}
	st := &state{}
	if well {
		st.cookieID = id
		r, err := m.kv.ReadSession(c.Context(), id)
		if err != nil {
			return m.fail(c, fmt.Errorf("load session: %w", err))
		}
		st.stored = r.Data != nil
		if r.Data != nil {
			if rec, ok := m.records.get(r.Data); ok && rec.UID == r.UserID && rec.live(m.now()) {
				st.id, st.rec, st.principal = id, *rec, r.Principal
			}
		}
	}
	c.Locals(localState, st)
	err := c.Next()
	if serr := m.save(c, st); serr != nil {
		return m.fail(c, serr)
	}
	return err
}

func (m *Manager) fail(c fiber.Ctx, err error) error {
	if m.onError == nil {
		return err
	}
	m.onError(c, err)
	return nil
}

// save writes a changed signed-in session back and sets its cookie.
func (m *Manager) save(c fiber.Ctx, st *state) error {
	if st.dirty && st.signedIn() {
		b, err := json.Marshal(st.rec)
		if err != nil {
			return err
		}
		if err := m.kv.WriteSession(c.Context(), st.id, st.rec.UID, b, st.rec.idle()); err != nil {
			return fmt.Errorf("save session: %w", err)
		}
	}
	if st.setCookie && st.signedIn() {
		ck := m.cookie
		ck.Value = st.id
		if st.rec.Remember {
			ck.MaxAge = int(RememberTimeout / time.Second)
		} else {
			// A browser-session cookie; the server ends the session
			// after IdleTimeout unused.
			ck.SessionOnly = true
		}
		c.Cookie(&ck)
	}
	return nil
}

// clearCookie tells the browser to forget the session cookie (on the same
// domain it was set for).
func (m *Manager) clearCookie(c fiber.Ctx) {
	ck := m.cookie
	ck.Expires = time.Unix(1, 0)
	ck.MaxAge = -1
	c.Cookie(&ck)
}

// Current is the signed-in state of this request's session.
type Current struct {
	UserID   int64
	Created  time.Time
	AuthAt   time.Time
	Remember bool
}

// Load reads the request's session; ok is false when nobody is signed in.
func (m *Manager) Load(c fiber.Ctx) (cur Current, ok bool) {
	st := stateOf(c)
	if !st.signedIn() {
		return Current{}, false
	}
	r := st.rec
	return Current{UserID: r.UID, Created: time.Unix(r.Created, 0), AuthAt: time.Unix(r.AuthAt, 0), Remember: r.Remember}, true
}

// Touch records that the session was used now. The write happens at most
// once per SeenInterval; it renews the store's expiry (the idle timeout,
// 14 days when remembered) and a remembered session's cookie.
func (m *Manager) Touch(c fiber.Ctx, cur Current) {
	if m.seen(c) && cur.Remember {
		stateOf(c).setCookie = true
	}
}

// Seen is Touch without renewing the cookie, for answers that must set
// none (a reverse proxy's forward-auth question): the session still counts
// as used, so browsing a protected app keeps it alive.
func (m *Manager) Seen(c fiber.Ctx) { m.seen(c) }

// seen marks the session used now; false when it was written less than
// SeenInterval ago (nothing to write).
func (m *Manager) seen(c fiber.Ctx) bool {
	st := stateOf(c)
	if !st.signedIn() {
		return false
	}
	now := m.now().Unix()
	if now-st.rec.Seen < int64(SeenInterval/time.Second) {
		return false
	}
	st.rec.Seen = now
	st.dirty = true
	return true
}

// Start signs uid in on this request: a new session id (the one held before
// no longer works), the user, and the facts the sessions page shows.
func (m *Manager) Start(c fiber.Ctx, uid int64, remember bool, ip, ua string) error {
	st := stateOf(c)
	if st == nil {
		return fmt.Errorf("start session: no session middleware on %s", c.Path())
	}
	ctx := c.Context()
	if old := st.cookieID; old != "" {
		// Whatever the cookie named, signed in or not, is gone.
		if err := m.kv.DeleteWithContext(ctx, dataPrefix+old); err != nil {
			return fmt.Errorf("start session: %w", err)
		}
		if st.rec.UID != 0 {
			_ = m.kv.SetRemove(ctx, indexKey(st.rec.UID), old)
		}
	}
	now := m.now().Unix()
	st.id, st.cookieID = newID(), ""
	st.rec = record{UID: uid, AuthAt: now, Created: now, Seen: now, Remember: remember,
		IP: ip, UA: truncate(ua, 300), CSRF: newID()}
	st.principal = nil
	st.dirty, st.setCookie = true, true
	if err := m.kv.SetAdd(ctx, indexKey(uid), st.id, AbsoluteTimeout); err != nil {
		return fmt.Errorf("start session: index: %w", err)
	}
	return nil
}

// MarkAuthenticated records that the password was just entered again.
func (m *Manager) MarkAuthenticated(c fiber.Ctx) {
	if st := stateOf(c); st.signedIn() {
		st.rec.AuthAt = m.now().Unix()
		st.dirty = true
	}
}

// Rotate gives the current session a new id, keeping its data, e.g. after
// a password change, so a copied cookie stops working.
func (m *Manager) Rotate(c fiber.Ctx, uid int64) error {
	st := stateOf(c)
	if !st.signedIn() {
		return nil
	}
	ctx := c.Context()
	old := st.id
	if err := m.kv.DeleteWithContext(ctx, dataPrefix+old); err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	st.id = newID()
	st.dirty, st.setCookie = true, true
	if err := m.kv.SetRemove(ctx, indexKey(uid), old); err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	if err := m.kv.SetAdd(ctx, indexKey(uid), st.id, AbsoluteTimeout); err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	return nil
}

// EndCurrent deletes this request's session on the server (uid: its user,
// 0 for an anonymous one) and clears the cookie.
func (m *Manager) EndCurrent(c fiber.Ctx, uid int64) error {
	st := stateOf(c)
	if st == nil {
		return nil
	}
	id, stored := st.id, st.stored || st.id != ""
	if id == "" {
		id = st.cookieID
	}
	*st = state{}
	if id == "" {
		return nil
	}
	if !stored {
		// The cookie named nothing: only the browser has something to
		// forget, and a client that keeps sending it costs no write.
		m.clearCookie(c)
		return nil
	}
	ctx := c.Context()
	if err := m.kv.DeleteWithContext(ctx, dataPrefix+id); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	m.clearCookie(c)
	if uid != 0 {
		if err := m.kv.SetRemove(ctx, indexKey(uid), id); err != nil {
			return fmt.Errorf("end session: index: %w", err)
		}
	}
	return nil
}

// DropAnonymous forgets a cookie that names no live signed-in session: it
// is cleared, and whatever it named is deleted, so a failed sign-in or an
// unknown cookie leaves nothing on the server.
func (m *Manager) DropAnonymous(c fiber.Ctx) error {
	st := stateOf(c)
	if st == nil || st.signedIn() || st.cookieID == "" {
		return nil
	}
	return m.EndCurrent(c, 0)
}

// CurrentID is this request's session id ("" without one).
func (m *Manager) CurrentID(c fiber.Ctx) string {
	if st := stateOf(c); st.signedIn() {
		return st.id
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
		if id == keep || !WellFormedID(id) {
			continue
		}
		if err := m.kv.DeleteWithContext(ctx, dataPrefix+id); err != nil {
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
	if !WellFormedID(id) {
		return nil
	}
	if err := m.kv.DeleteWithContext(ctx, dataPrefix+id); err != nil {
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
	now := m.now()
	for _, id := range ids {
		if !WellFormedID(id) {
			stale = append(stale, id)
			continue
		}
		r, err := m.kv.ReadSession(ctx, id)
		if err != nil {
			// An unreadable session is not listed; it ends on its own.
			continue
		}
		var rec record
		if r.Data == nil || json.Unmarshal(r.Data, &rec) != nil || rec.UID != uid || !rec.live(now) {
			stale = append(stale, id)
			continue
		}
		out = append(out, account.SessionInfo{ID: id, IP: rec.IP, UserAgent: rec.UA,
			Started: time.Unix(rec.Created, 0), SeenAt: time.Unix(rec.Seen, 0), Remember: rec.Remember})
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
