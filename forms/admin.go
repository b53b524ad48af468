package forms

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/auth"
)

// BadRequest is a query or form that cannot be used at all; its message
// says what to fix, for a 400 page.
type BadRequest struct{ Msg string }

func (e *BadRequest) Error() string { return e.Msg }

func bad(msg string) error { return &BadRequest{Msg: msg} }

// IsBadRequest reports whether err is a *BadRequest.
func IsBadRequest(err error) bool {
	var b *BadRequest
	return errors.As(err, &b)
}

// Page sizes of the admin lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
	// maxSearchLen bounds the search box: nothing longer can match an email.
	maxSearchLen = auth.MaxEmailLen
	// MaxGroupNameLen bounds group names, as Django does.
	MaxGroupNameLen = 150
)

// UserSorts are the user list's sort keys; a leading '-' reverses one.
var UserSorts = []string{"username", "email", "joined", "last_login"}

// UserListQuery is the user list's query string, checked.
type UserListQuery struct {
	Q                        string
	Active, Staff, Superuser string // "", "yes" or "no"
	Group                    string
	Sort                     string // a key of UserSorts, maybe with a leading '-'
	After, Before            string // opaque cursors
	PageSize                 int
}

// ParseUserList reads and checks the user list's parameters. Empty values
// mean the default; anything else that is not understood is a *BadRequest.
func ParseUserList(get func(string) string) (UserListQuery, error) {
	q := UserListQuery{
		Q: strings.TrimSpace(get("q")), Group: strings.TrimSpace(get("group")),
		Sort: get("sort"), After: get("after"), Before: get("before"), PageSize: DefaultPageSize,
	}
	if !usable(q.Q) {
		return q, bad("The search contains characters that are not allowed.")
	}
	if utf8.RuneCountInString(q.Q) > maxSearchLen {
		return q, bad("The search is too long: use at most " + strconv.Itoa(maxSearchLen) + " characters.")
	}
	if !usable(q.Group) || utf8.RuneCountInString(q.Group) > MaxGroupNameLen {
		return q, bad("The group filter is not a valid group name.")
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"active", &q.Active}, {"staff", &q.Staff}, {"superuser", &q.Superuser}} {
		switch v := get(f.name); v {
		case "", "yes", "no":
			*f.dst = v
		default:
			return q, bad("The " + f.name + " filter must be yes or no.")
		}
	}
	if q.Sort == "" {
		q.Sort = "username"
	}
	if !slices.Contains(UserSorts, strings.TrimPrefix(q.Sort, "-")) {
		return q, bad("Sort by one of username, email, joined or last_login, with a leading - to reverse.")
	}
	if q.After != "" && q.Before != "" {
		return q, bad("A page link has either after or before, not both.")
	}
	if len(q.After) > 2048 || len(q.Before) > 2048 {
		return q, bad("This page link is not valid. Start again from the first page.")
	}
	if v := get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			return q, bad("page_size must be a whole number from 1 to " + strconv.Itoa(MaxPageSize) + ".")
		}
		q.PageSize = n
	}
	return q, nil
}

// SortKey is the sort without its direction.
func (q UserListQuery) SortKey() string { return strings.TrimPrefix(q.Sort, "-") }

// Desc reports whether the sort is reversed.
func (q UserListQuery) Desc() bool { return strings.HasPrefix(q.Sort, "-") }

// Filtered reports whether a search or a filter narrows the list.
func (q UserListQuery) Filtered() bool {
	return q.Q != "" || q.Active != "" || q.Staff != "" || q.Superuser != "" || q.Group != ""
}

// Tri turns "yes"/"no"/"" into a filter value.
func Tri(v string) *bool {
	switch v {
	case "yes":
		t := true
		return &t
	case "no":
		f := false
		return &f
	}
	return nil
}

// Bulk is a bulk action on the user list.
type Bulk struct {
	Action string // activate or deactivate
	IDs    []int64
	// Back is the list the action was taken from, to return to.
	Back string
}

// ParseBulk reads a bulk action; an unknown action or a malformed id is a
// *BadRequest, no ids at all is not (the page says to select some).
func ParseBulk(get func(string) string, getAll func(string) []string, maxIDs int) (Bulk, error) {
	b := Bulk{Action: get("action"), Back: "/admin/users"}
	if back := get("back"); back == "/admin/users" || strings.HasPrefix(back, "/admin/users?") {
		if safe, ok := auth.SafeNext(back); ok && safe == back && len(back) < 4096 {
			b.Back = back
		}
	}
	if b.Action != "activate" && b.Action != "deactivate" {
		return b, bad("Choose a bulk action: activate or deactivate.")
	}
	ids := getAll("ids")
	if len(ids) > maxIDs {
		return b, bad("Select at most " + strconv.Itoa(maxIDs) + " users at once.")
	}
	for _, s := range ids {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return b, bad("The selection is not valid. Reload the page and try again.")
		}
		if !slices.Contains(b.IDs, id) {
			b.IDs = append(b.IDs, id)
		}
	}
	return b, nil
}

// UserEdit is the admin user page's form: checkboxes for the flags, the
// groups (ids) and the direct permissions (codes). An unchecked box is
// absent, as in every HTML form.
type UserEdit struct {
	IsActive, IsStaff, IsSuperuser bool
	GroupIDs                       []int64
	Perms                          []string
}

// ParseUserEdit reads the user form; values that are not ids or codes are
// ignored, like any unknown field.
func ParseUserEdit(get func(string) string, getAll func(string) []string) UserEdit {
	e := UserEdit{IsActive: get("is_active") == "on", IsStaff: get("is_staff") == "on", IsSuperuser: get("is_superuser") == "on"}
	e.GroupIDs = parseIDs(getAll("groups"))
	e.Perms = parseCodes(getAll("perms"))
	return e
}

func parseIDs(vs []string) []int64 {
	var out []int64
	for _, s := range vs {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func parseCodes(vs []string) []string {
	var out []string
	for _, s := range vs {
		if auth.ValidPermCode(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Group is the group form: a name and the permission codes.
type Group struct {
	Name  string
	Perms []string
}

// ParseGroup reads the group form.
func ParseGroup(get func(string) string, getAll func(string) []string) Group {
	return Group{Name: strings.TrimSpace(clean(get("name"), MaxGroupNameLen)), Perms: parseCodes(getAll("perms"))}
}

// Validate checks the name; uniqueness is the database's business.
func (g *Group) Validate() Errors {
	errs := Errors{}
	switch {
	case g.Name == "":
		errs["name"] = "Enter a name for the group."
	case !usable(g.Name) || strings.ContainsFunc(g.Name, isControl):
		errs["name"] = "Use letters, digits, spaces and punctuation only."
	case utf8.RuneCountInString(g.Name) > MaxGroupNameLen:
		errs["name"] = "Use at most " + strconv.Itoa(MaxGroupNameLen) + " characters."
	}
	return errs
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// AuditQuery is the audit log's query string, checked.
type AuditQuery struct {
	User, Event   string
	After, Before string
}

// ParseAudit reads the audit log's filters and cursors.
func ParseAudit(get func(string) string) (AuditQuery, error) {
	q := AuditQuery{User: strings.TrimSpace(get("user")), Event: strings.TrimSpace(get("event")), After: get("after"), Before: get("before")}
	if !usable(q.User) || utf8.RuneCountInString(q.User) > auth.MaxUsernameLen {
		return q, bad("The user filter is not a valid username.")
	}
	if !usable(q.Event) || len(q.Event) > 64 {
		return q, bad("The event filter is not a valid event name.")
	}
	if q.After != "" && q.Before != "" {
		return q, bad("A page link has either after or before, not both.")
	}
	return q, nil
}
