package sessions

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/kv"
)

// Lifetimes of the principal cache. A principal lives minutes: that bounds
// how long a change whose invalidation failed can go unseen. A version
// outlives every principal tagged with it, so a version that expired and
// reads "" again cannot revive an entry tagged before it was set.
const (
	PrincipalTTL = 5 * time.Minute
	VersionTTL   = 24 * time.Hour
	// bumpTimeout bounds an invalidation, which runs even when the
	// request that made the change has timed out.
	bumpTimeout = 2 * time.Second
)

var _ account.PrincipalCache = (*Manager)(nil)

// cached is a principal as the store keeps it: the user without the
// password hash (a password check reads it fresh), and what they may do.
type cached struct {
	User      auth.User              `json:"user"`
	Principal auth.Principal         `json:"principal"`
	Pending   *account.PendingChange `json:"pending,omitempty"`
}

// Cached is the principal the request's session found cached and valid.
func (m *Manager) Cached(c fiber.Ctx) (*account.Signed, bool) {
	st := stateOf(c)
	if !st.signedIn() || st.principal == nil {
		return nil, false
	}
	p, ok := m.principals.get(st.principal)
	if !ok || p.User.ID != st.rec.UID || !p.Principal.IsActive {
		return nil, false
	}
	// Each request gets its own copies of what a handler could change;
	// the permission map and group list are only read.
	u := p.User
	s := &account.Signed{User: &u, Principal: p.Principal}
	if p.Pending != nil {
		pc := *p.Pending
		s.Pending = &pc
	}
	return s, true
}

// decodeMemo remembers JSON entries already decoded, by their exact bytes:
// the same bytes always decode to the same value, so it is never stale (a
// principal's bytes were validated by the store's read); it only spares
// each request the decoding. It is emptied when it grows past maxDecoded,
// which bounds its memory. Callers must not change what it returns.
type decodeMemo[T any] struct {
	mu sync.RWMutex
	m  map[string]*T
}

const maxDecoded = 4096

func (d *decodeMemo[T]) get(raw []byte) (*T, bool) {
	d.mu.RLock()
	p := d.m[string(raw)]
	d.mu.RUnlock()
	if p != nil {
		return p, true
	}
	p = new(T)
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, false
	}
	d.mu.Lock()
	if d.m == nil || len(d.m) >= maxDecoded {
		d.m = make(map[string]*T, 64)
	}
	d.m[string(raw)] = p
	d.mu.Unlock()
	return p, true
}

// Versions reads the tag a fill of uid is made under.
func (m *Manager) Versions(ctx context.Context, uid int64, groups []int64) (account.PrincipalTag, error) {
	t, err := m.kv.Versions(ctx, uid, groups)
	if err != nil {
		return account.PrincipalTag{}, err
	}
	return account.PrincipalTag{User: t.User, Groups: t.Groups}, nil
}

// Fill caches sg under tag unless a version changed since.
func (m *Manager) Fill(ctx context.Context, sg *account.Signed, tag account.PrincipalTag) error {
	p := cached{User: *sg.User, Principal: sg.Principal, Pending: sg.Pending}
	p.User.PasswordHash = ""
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = m.kv.FillPrincipal(ctx, sg.User.ID, kv.Tag{User: tag.User, Groups: tag.Groups}, b, PrincipalTTL)
	return err
}

// UsersChanged gives the users new versions.
func (m *Manager) UsersChanged(ctx context.Context, ids ...int64) { m.bump(ctx, ids, nil) }

// GroupChanged gives the group a new epoch.
func (m *Manager) GroupChanged(ctx context.Context, id int64) { m.bump(ctx, nil, []int64{id}) }

func (m *Manager) bump(ctx context.Context, users, groups []int64) {
	// The change is committed: its invalidation runs even when the
	// request ran out of time meanwhile, within a bound of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bumpTimeout)
	defer cancel()
	if err := m.kv.Bump(ctx, users, groups, VersionTTL); err != nil && m.log != nil {
		m.log.Warn("principal cache invalidation failed; stale for at most the cache lifetime",
			"users", len(users), "groups", groups, "err", err)
	}
}
