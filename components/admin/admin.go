// Package admin renders the admin console: the user list and user page,
// groups, and the audit log, under a shared sub-navigation.
package admin

import (
	"slices"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/components/pages"
)

// Access says which admin sections and actions the viewer may use.
type Access struct {
	UsersView, UsersChange   bool
	GroupsView, GroupsChange bool
	AuditView                bool
}

// UserListView is what /admin/users shows.
type UserListView struct {
	Query      UserQuery
	Rows       []UserRow
	Next, Prev string // cursors; "" when there is no such page
	// Count is shown for the unfiltered list only; a filtered list says
	// whether more pages match instead of counting them.
	Count  Count
	Groups []string // group names for the filter chips
	Access Access
	Now    time.Time
	CSRF   string
	// Alert explains a refused bulk action; Selected keeps its boxes ticked.
	Alert    string
	Selected []int64
}

// UserView is what /admin/users/{id} shows.
type UserView struct {
	User   UserDetail
	Groups []GroupRow // every group, to choose from
	Perms  []Perm
	Access Access
	// ViewerIsSuperuser: only superusers may change the superuser flag.
	ViewerIsSuperuser bool
	Self              bool
	// Edit is the form as posted after a refusal (else the user's values).
	Edit     *UserEdit
	Alert    string
	PwErrors map[string]string
	// Sessions are the user's active sessions (loaded with users.change).
	Sessions []pages.SessionRow
	Now      time.Time
	CSRF     string
}

// GroupListView is what /admin/groups shows.
type GroupListView struct {
	Groups []GroupRow
	Access Access
	Name   string // the create form's value after an error
	Errors map[string]string
	CSRF   string
}

// GroupView is what /admin/groups/{id} shows.
type GroupView struct {
	Group  GroupRow
	Perms  []Perm
	Access Access
	Form   *GroupForm // as posted after an error
	Errors map[string]string
	CSRF   string
}

// AuditView is what /admin/audit shows.
type AuditView struct {
	Query      AuditQuery
	Events     []Event
	Names      map[int64]string
	Next, Prev string
	// UnknownUser is set when the user filter names nobody.
	UnknownUser bool
	Access      Access
	Now         time.Time
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Thousands writes n with comma separators: 1000000 → "1,000,000".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + Thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Thousands(int64(n)) + " " + many
}

// countText says how many users the list holds or matches: PostgreSQL's
// estimate for the whole table, an exact count for a small one, and for a
// search or filter the rows on screen and whether more pages match.
func (v UserListView) countText() string {
	if !v.Query.Filtered() {
		switch {
		case v.Count.Approx:
			return "About " + Thousands(v.Count.N) + " users (an estimate)"
		case v.Count.AtLeast:
			return "More than " + Thousands(v.Count.N) + " users"
		}
		return plural(int(v.Count.N), "user", "users")
	}
	n := len(v.Rows)
	if v.Next == "" && v.Prev == "" {
		return plural(n, "user matches", "users match")
	}
	return "Showing " + plural(n, "matching user", "matching users") + "; more match"
}

// with returns the list's URL after f changes a copy of its query; paging
// starts again from the first page.
func (v UserListView) with(f func(q *UserQuery)) string {
	q := v.Query
	q.After, q.Before = "", ""
	f(&q)
	return q.URL()
}

func (v UserListView) sortURL(key string) string {
	return v.with(func(q *UserQuery) {
		if q.SortKey() == key && !q.Desc() {
			q.Sort = "-" + key
		} else {
			q.Sort = key
		}
	})
}

// ariaSort is the header's aria-sort value, "" when the list is not
// sorted by it.
func (v UserListView) ariaSort(key string) string {
	if v.Query.SortKey() != key {
		return ""
	}
	if v.Query.Desc() {
		return "descending"
	}
	return "ascending"
}

func (v UserListView) pageURL(after, before string) string {
	q := v.Query
	q.After, q.Before = after, before
	return q.URL()
}

func (v UserListView) selected(id int64) bool { return slices.Contains(v.Selected, id) }

// hidden are the list's current choices other than the search, carried by
// the search form so that searching keeps them.
func (v UserListView) hidden() [][2]string {
	var out [][2]string
	vals := v.Query.Values()
	for _, k := range []string{"active", "staff", "superuser", "group", "sort", "page_size"} {
		if val := vals.Get(k); val != "" {
			out = append(out, [2]string{k, val})
		}
	}
	return out
}

type chip struct {
	Label, URL string
	Current    bool
}

// flagChips are the Any / Yes / No chips of one filter.
func (v UserListView) flagChips(name string) []chip {
	get := func(q *UserQuery) *string {
		switch name {
		case "staff":
			return &q.Staff
		case "superuser":
			return &q.Superuser
		}
		return &q.Active
	}
	cur := *get(&v.Query)
	var out []chip
	for _, c := range []struct{ label, val string }{{"Any", ""}, {"Yes", "yes"}, {"No", "no"}} {
		out = append(out, chip{Label: c.label, Current: cur == c.val,
			URL: v.with(func(q *UserQuery) { *get(q) = c.val })})
	}
	return out
}

func (v UserListView) groupChips() []chip {
	out := []chip{{Label: "Any", Current: v.Query.Group == "", URL: v.with(func(q *UserQuery) { q.Group = "" })}}
	found := v.Query.Group == ""
	for _, g := range v.Groups {
		cur := nameKey(g) == nameKey(v.Query.Group)
		found = found || cur
		out = append(out, chip{Label: g, Current: cur, URL: v.with(func(q *UserQuery) { q.Group = g })})
	}
	if !found {
		out = append(out, chip{Label: v.Query.Group, Current: true, URL: v.Query.URL()})
	}
	return out
}

func (v UserListView) clearSearchURL() string {
	return v.with(func(q *UserQuery) { q.Q = "" })
}

func (v UserListView) clearFiltersURL() string {
	return v.with(func(q *UserQuery) {
		q.Active, q.Staff, q.Superuser, q.Group = "", "", "", ""
	})
}

// edit is the form the user page shows: as posted, or the user's values.
func (v UserView) edit() UserEdit {
	if v.Edit != nil {
		return *v.Edit
	}
	u := v.User
	return UserEdit{IsActive: u.IsActive, IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser, GroupIDs: u.GroupIDs, Perms: u.Perms}
}

func (v UserView) url() string { return "/admin/users/" + itoa(v.User.ID) }

func (v GroupView) form() GroupForm {
	if v.Form != nil {
		return *v.Form
	}
	return GroupForm{Name: v.Group.Name, Perms: v.Group.Perms}
}

func (v GroupView) url() string { return "/admin/groups/" + itoa(v.Group.ID) }

func membersURL(name string) string {
	return UserQuery{Group: name, Sort: "username"}.URL()
}

func (v AuditView) pageURL(after, before string) string {
	q := v.Query
	q.After, q.Before = after, before
	return q.URL()
}

func (v AuditView) name(id *int64) string {
	if id == nil {
		return ""
	}
	if n, ok := v.Names[*id]; ok {
		return n
	}
	return "#" + itoa(*id) + " (deleted)"
}
