package account

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// The ports: what the use cases need from storage and the outside world,
// declared here where they are used. models and kv implement them; each
// implementation has a compile-time check beside it.

// Users is the user store.
type Users interface {
	ByID(ctx context.Context, id int64) (*auth.User, error)
	// ByLogin finds a user by username key or email key.
	ByLogin(ctx context.Context, usernameKey, emailKey string) (*auth.User, error)
	ByEmailKey(ctx context.Context, key string) (*auth.User, error)
	UsernameTaken(ctx context.Context, key string) (bool, error)
	EmailTaken(ctx context.Context, key string) (bool, error)
	// Create inserts u; the unique indexes decide races (ErrUsernameTaken,
	// ErrEmailTaken).
	Create(ctx context.Context, u *auth.User) error
	TouchLogin(ctx context.Context, id int64, at time.Time) error
	// SetPasswordHash stores a new hash; a non-zero changedAt records a real
	// change (which kills reset links), zero a re-hash with new parameters.
	SetPasswordHash(ctx context.Context, id int64, hash string, changedAt time.Time) error
	MarkEmailVerified(ctx context.Context, id int64, emailKey string) (bool, error)
	ChangeEmail(ctx context.Context, id int64, email, emailKey string) error
}

// Tokens stores the server half of mailed links.
type Tokens interface {
	Create(ctx context.Context, t *auth.Token) error
	// CreateNothing runs Create's statement, inserting nothing, so that a
	// path with no account costs the same as one with.
	CreateNothing(ctx context.Context, t *auth.Token) error
	BySelector(ctx context.Context, selector string, kinds ...string) (*auth.Token, error)
	// Use marks a token used; false when it already was (one racer wins).
	Use(ctx context.Context, id int64, at time.Time) (bool, error)
	Revoke(ctx context.Context, userID int64, at time.Time, kinds ...string) error
	LastCreated(ctx context.Context, userID int64, kinds ...string) (time.Time, error)
	Pending(ctx context.Context, userID int64, kind string, now time.Time) (*auth.Token, error)
}

// Outbox is the mail queue, written in the transaction of what a mail announces.
type Outbox interface {
	Queue(ctx context.Context, m Rendered, at time.Time) error
}

// Audit is the audit log.
type Audit interface {
	Append(ctx context.Context, e Event) error
}

// Perms reads permissions.
type Perms interface {
	// OfUser returns the codes granted to a user directly or through a group.
	OfUser(ctx context.Context, userID int64) (map[string]bool, error)
	// Codes lists every permission code.
	Codes(ctx context.Context) ([]string, error)
	// GroupNamesOfUser lists the names of a user's groups, sorted.
	GroupNamesOfUser(ctx context.Context, userID int64) ([]string, error)
	// GroupIDsOfUser lists the ids of a user's groups.
	GroupIDsOfUser(ctx context.Context, userID int64) ([]int64, error)
	// Register adds permissions, or renames those already there.
	Register(ctx context.Context, perms []auth.Perm) error
}

// Store is the database: its stores, and transactions over them.
type Store interface {
	Users() Users
	Tokens() Tokens
	Outbox() Outbox
	Audit() Audit
	Perms() Perms
	// The admin console's ports (admin_ports.go).
	AdminUsers() AdminUsers
	Groups() Groups
	AuditLog() AuditLog
	// InTx runs fn in one transaction; the Store fn gets works in it.
	InTx(ctx context.Context, fn func(ctx context.Context, tx Store) error) error
}

// Sessions ends sessions that are not the current request's (the HTTP
// layer starts and rotates the current one).
type Sessions interface {
	// EndAll ends every session of a user except keep ("" for none) and
	// reports how many ended.
	EndAll(ctx context.Context, userID int64, keep string) (int, error)
	// List returns a user's live sessions.
	List(ctx context.Context, userID int64) ([]SessionInfo, error)
	// End ends one session of a user, by its id.
	End(ctx context.Context, userID int64, id string) error
}

// SessionInfo is what the sessions page shows of one session.
type SessionInfo struct {
	ID              string
	IP, UserAgent   string
	Started, SeenAt time.Time
	Remember        bool
}

// Limiter counts attempts against the rate limits.
type Limiter interface {
	// Login reserves a sign-in attempt against the per-IP, per-name and
	// (userID != 0) per-account limits.
	Login(ctx context.Context, ip, name string, userID int64) (Reservation, error)
	// Account reserves a password check of a signed-in user (re-authentication).
	Account(ctx context.Context, userID int64) (Reservation, error)
	Signup(ctx context.Context, ip string) (Reservation, error)
	Reset(ctx context.Context, ip, emailKey string) (Reservation, error)
	// Validate reserves an inline check of the sign-up form.
	Validate(ctx context.Context, ip string) (Reservation, error)
	// ClearLogin forgets the failures of an account and of the login names
	// (folded by auth.NormalizeLogin) that reach it.
	ClearLogin(ctx context.Context, userID int64, names ...string) error
}

// Reservation is an attempt counted before it is made, so parallel
// attempts cannot all pass a check none has counted yet. Blocked means it
// was refused (and not counted); Release takes the count back when the
// attempt turned out not to be a failure.
type Reservation interface {
	Blocked() (bool, time.Duration)
	// Tripped names the limits this attempt brought to their maximum.
	Tripped() []string
	Release(ctx context.Context) error
	// Failed counts a failed attempt on the limits that count failures
	// only (a sign-in's per-address limit); Tripped then names them too.
	Failed(ctx context.Context) error
}

// Letters renders the mails the use cases send.
type Letters interface {
	Render(ctx context.Context, m Mail) (Rendered, error)
}

// Notifier wakes the background mail sender after a commit.
type Notifier interface{ Notify() }

// Clock is the one source of time.
type Clock interface{ Now() time.Time }

// PrincipalCache keeps signed-in users' principals next to their sessions,
// so a signed-in request reads neither the user nor its groups or
// permissions. A cached principal is tagged with the user's version and
// its groups' epochs as read before the database was; the use cases below
// bump them after every change they commit.
type PrincipalCache interface {
	// Versions reads the tag a principal of uid in groups is filled under.
	Versions(ctx context.Context, uid int64, groups []int64) (PrincipalTag, error)
	// Fill caches sg under tag unless a version changed since it was read.
	Fill(ctx context.Context, sg *Signed, tag PrincipalTag) error
	// UsersChanged gives users new versions: their flags, names, address,
	// groups or direct permissions changed. A failure is logged; the
	// cache's short lifetime bounds how long a stale principal is served.
	UsersChanged(ctx context.Context, ids ...int64)
	// GroupChanged gives a group a new epoch: its permissions or name
	// changed, or it was deleted.
	GroupChanged(ctx context.Context, id int64)
}

// PrincipalTag is the versions a cached principal was read under.
type PrincipalTag struct {
	User   string
	Groups map[string]string
}
