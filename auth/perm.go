package auth

import (
	"slices"
	"strings"
)

// maxPermPartLen bounds each half of a permission code.
const maxPermPartLen = 50

// ValidPermCode reports whether code is "area.action" with each part 1 to
// 50 characters of [a-z0-9_]. Keeping codes this plain lets them appear in
// URLs, logs and config files without escaping.
func ValidPermCode(code string) bool {
	area, action, ok := strings.Cut(code, ".")
	return ok && validPermPart(area) && validPermPart(action)
}

func validPermPart(s string) bool {
	if s == "" || len(s) > maxPermPartLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Perm is a permission: its code and a human-readable name.
type Perm struct {
	Code string
	Name string
}

// BuiltinPerms returns the permissions Gatehouse itself checks. The slice
// is new on each call, so callers may modify it.
func BuiltinPerms() []Perm {
	return []Perm{
		{"users.view", "Can view users"},
		{"users.change", "Can change users"},
		{"users.delete", "Can delete users"},
		{"groups.view", "Can view groups"},
		{"groups.change", "Can change groups"},
		{"audit.view", "Can view the audit log"},
	}
}

// Principal is what a permission check needs to know about a user.
type Principal struct {
	IsActive    bool
	IsStaff     bool
	IsSuperuser bool
	// Perms holds the effective permission codes: those granted directly
	// and those granted through groups.
	Perms map[string]bool
	// Groups names the user's groups, sorted.
	Groups []string
}

// HasPerm reports whether p holds code, with Django's meaning: an inactive
// user holds nothing, even as superuser, so deactivating an account
// revokes everything at once; an active superuser holds everything.
func (p Principal) HasPerm(code string) bool {
	switch {
	case !p.IsActive:
		return false
	case p.IsSuperuser:
		return true
	}
	return p.Perms[code]
}

// Effective returns, sorted and without duplicates, the codes among known
// that p holds. Codes p holds but that are not in known are left out, so
// stale grants of removed permissions are not displayed.
func (p Principal) Effective(known []string) []string {
	out := []string{}
	for _, code := range known {
		if p.HasPerm(code) {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
