package admin

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// The view models of the admin pages: plain values the handlers fill in.

// DefaultPageSize is the user list's page size when the address names none
// (left out of the list's links).
const DefaultPageSize = 50

// UserQuery is the user list's query as the page shows it and links to it.
type UserQuery struct {
	Q                        string
	Active, Staff, Superuser string // "", "yes" or "no"
	Group                    string
	Sort                     string // a sort key, maybe with a leading '-'
	After, Before            string // opaque cursors
	PageSize                 int
}

// SortKey is the sort without its direction.
func (q UserQuery) SortKey() string { return strings.TrimPrefix(q.Sort, "-") }

// Desc reports whether the sort is reversed.
func (q UserQuery) Desc() bool { return strings.HasPrefix(q.Sort, "-") }

// Filtered reports whether a search or a filter narrows the list.
func (q UserQuery) Filtered() bool {
	return q.Q != "" || q.Active != "" || q.Staff != "" || q.Superuser != "" || q.Group != ""
}

// Values encodes the query, leaving out defaults, so links stay short and
// the address bar shows only what was chosen.
func (q UserQuery) Values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", q.Q)
	set("active", q.Active)
	set("staff", q.Staff)
	set("superuser", q.Superuser)
	set("group", q.Group)
	if q.Sort != "username" {
		set("sort", q.Sort)
	}
	if q.PageSize != DefaultPageSize && q.PageSize != 0 {
		v.Set("page_size", strconv.Itoa(q.PageSize))
	}
	set("after", q.After)
	set("before", q.Before)
	return v
}

// URL is the list's address for this query.
func (q UserQuery) URL() string {
	if enc := q.Values().Encode(); enc != "" {
		return "/admin/users?" + enc
	}
	return "/admin/users"
}

// nameKey folds a group name as its uniqueness does, to mark the current
// group filter whatever its case.
func nameKey(name string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(name)))
}

// UserRow is one line of the user list.
type UserRow struct {
	ID                             int64
	Username, Email                string
	IsActive, IsStaff, IsSuperuser bool
	Groups                         []string // names
	DateJoined                     time.Time
	LastLogin                      *time.Time
}

// Count is how many users the list says there are.
type Count struct {
	N int64
	// Approx marks an estimate; AtLeast a count stopped at its cap.
	Approx, AtLeast bool
}

// UserDetail is the user the admin user page shows.
type UserDetail struct {
	ID                             int64
	Username, Email                string
	EmailVerified                  bool
	IsActive, IsStaff, IsSuperuser bool
	DateJoined                     time.Time
	LastLogin                      *time.Time
	PasswordChangedAt              time.Time
	GroupIDs                       []int64
	Perms                          []string // direct permission codes
}

// UserEdit is the user page's form: the flags, the groups (ids) and the
// direct permissions (codes).
type UserEdit struct {
	IsActive, IsStaff, IsSuperuser bool
	GroupIDs                       []int64
	Perms                          []string
}

// GroupRow is a group with its permission codes.
type GroupRow struct {
	ID    int64
	Name  string
	Perms []string
}

// GroupForm is the group form: a name and the permission codes.
type GroupForm struct {
	Name  string
	Perms []string
}

// Perm is a permission to choose: its code and its name.
type Perm struct {
	Code, Name string
}

// AuditQuery is the audit log's filters and cursors.
type AuditQuery struct {
	User, Event   string
	After, Before string
}

// URL is the audit log's address for this query.
func (q AuditQuery) URL() string {
	v := url.Values{}
	for k, val := range map[string]string{"user": q.User, "event": q.Event, "after": q.After, "before": q.Before} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if enc := v.Encode(); enc != "" {
		return "/admin/audit?" + enc
	}
	return "/admin/audit"
}

// Event is one line of the audit log.
type Event struct {
	ID        int64
	CreatedAt time.Time
	Event     string
	UserID    *int64 // the user it is about
	ActorID   *int64 // the user who did it
	Login     string // typed at sign-in, when no user is known
	IP        string
	Detail    string
}
