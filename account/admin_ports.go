package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// The ports of the admin console's use cases (admin_users.go,
// admin_groups.go, admin_audit.go), beside the Store's.

// AdminUsers reads and writes users as the admin console needs; it holds
// no rules (who may change whom is auth's, applied by the use cases).
type AdminUsers interface {
	// Detail is a user with its group ids and direct permission codes.
	Detail(ctx context.Context, id int64) (*UserDetail, error)
	// List is one keyset page of the user list (ErrBadCursor for a cursor
	// it did not make).
	List(ctx context.Context, p UserListParams) (UserPage, error)
	// CountAll says how many users there are without reading a large table.
	CountAll(ctx context.Context) (UserCount, error)
	ByUsername(ctx context.Context, usernameKey string) (*auth.User, error)
	// ByIDs loads the users among ids that exist, by id.
	ByIDs(ctx context.Context, ids []int64) ([]auth.User, error)
	UsernamesByID(ctx context.Context, ids []int64) (map[int64]string, error)
	// LockActiveSuperusers lists the ids of the active superusers and, where
	// the database can, locks their rows until the transaction ends, so that
	// two admins demoting the last two at once take turns.
	LockActiveSuperusers(ctx context.Context) ([]int64, error)
	SetFlags(ctx context.Context, id int64, f auth.Flags) error
	SetActive(ctx context.Context, ids []int64, active bool) error
	// ReplaceGroups makes the user's groups exactly the existing ones among
	// want (have: the current ones) and names the groups added and removed.
	ReplaceGroups(ctx context.Context, id int64, have, want []int64) (added, removed []string, err error)
	// ReplacePerms makes the user's direct permissions exactly the known
	// codes among want and names the codes added and removed.
	ReplacePerms(ctx context.Context, id int64, have, want []string) (added, removed []string, err error)
}

// Groups stores groups, their grants and the permission catalogue.
type Groups interface {
	// List returns every group by name with its permission codes.
	List(ctx context.Context) ([]Group, error)
	ByID(ctx context.Context, id int64) (*Group, error)
	// Create inserts a group; ErrGroupTaken when the name (in any case) is.
	Create(ctx context.Context, name string) (*Group, error)
	// Rename renames a group; ErrGroupTaken when the name is.
	Rename(ctx context.Context, id int64, name string) error
	// ReplacePerms makes the group's permissions exactly the known codes
	// among want and names the codes added and removed.
	ReplacePerms(ctx context.Context, id int64, have, want []string) (added, removed []string, err error)
	// Delete removes a group with its memberships and grants.
	Delete(ctx context.Context, id int64) (*Group, error)
	// Permissions lists every permission, by code.
	Permissions(ctx context.Context) ([]auth.Perm, error)
}

// AuditLog reads the audit log.
type AuditLog interface {
	// Page is one keyset page of the log, newest first (ErrBadCursor for a
	// cursor it did not make).
	Page(ctx context.Context, q AuditQuery) (AuditPage, error)
}

// ErrBadCursor: a page cursor that the list did not make (tampered with,
// truncated, or from another sort).
var ErrBadCursor = errors.New("invalid page cursor")

// ErrGroupTaken: another group has the name, in any case.
var ErrGroupTaken = fmt.Errorf("group name: %w", ErrConflict)

// UserDetail is a user with its group ids and direct permission codes.
type UserDetail struct {
	auth.User
	GroupIDs []int64
	Perms    []string
}

// UserListParams selects one page of the user list.
type UserListParams struct {
	// Q is a case-insensitive substring of the username or the email.
	Q string
	// Active, Staff and Superuser filter on a flag when not nil.
	Active, Staff, Superuser *bool
	// Group filters on membership of the group with this name (any case).
	Group string
	// Sort is a sort key of the list ("username", "email", "joined",
	// "last_login"); Desc reverses it.
	Sort string
	Desc bool
	// After and Before are cursors from a previous page's Next and Prev; at
	// most one is set. Neither means the first page.
	After, Before string
	PageSize      int
}

// Filtered reports whether the list is narrowed by a search or a filter.
func (p UserListParams) Filtered() bool {
	return p.Q != "" || p.Active != nil || p.Staff != nil || p.Superuser != nil || p.Group != ""
}

// UserRow is one line of the list: the user and the names of its groups.
type UserRow struct {
	auth.User
	Groups []string
}

// UserPage is one page of the list with the cursors of its neighbours;
// an empty cursor means there is no such page.
type UserPage struct {
	Rows       []UserRow
	Next, Prev string
}

// UserCount is how many users the list says there are.
type UserCount struct {
	N int64
	// Approx marks PostgreSQL's planner estimate, used for large tables
	// instead of counting them.
	Approx bool
	// AtLeast marks a count that stopped at its cap: "more than N".
	AtLeast bool
}

// Group is a named set of permissions.
type Group struct {
	ID    int64
	Name  string
	Perms []string // codes, sorted
}

// AuditQuery selects one page of the audit log, newest first.
type AuditQuery struct {
	// UserID keeps the events about or by one user (0: everyone).
	UserID int64
	// Event keeps one kind of event ("" for all).
	Event string
	// After and Before are cursors from a previous page's Next and Prev.
	After, Before string
	Limit         int
}

// AuditEntry is one recorded line of the audit log.
type AuditEntry struct {
	ID        int64
	At        time.Time
	Name      string
	UserID    *int64
	ActorID   *int64
	Login     string
	IP        string
	UserAgent string
	Detail    string
}

// AuditPage is one page of the log and the cursors of its neighbours.
type AuditPage struct {
	Events     []AuditEntry
	Next, Prev string
}
