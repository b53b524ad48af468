package auth

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// The access rules of forward-auth (CONTRACT §9): which requests to other
// apps, by host, path, method and client network, need which level. The
// file format lives in config; these are the parsed rules and their
// matching, free of I/O so they can be fuzzed.

// LevelKind is what a rule requires.
type LevelKind uint8

// The levels, weakest first; LevelDeny refuses everyone.
const (
	LevelPublic LevelKind = iota + 1
	LevelLogin
	LevelTwoFactor
	LevelStaff
	LevelSuperuser
	LevelPerm
	LevelGroup
	LevelDeny
)

// Level is a rule's requirement: a kind and, for perm: and group:, its
// argument (a permission code, a group name).
type Level struct {
	Kind LevelKind
	Arg  string
}

var levelNames = map[string]LevelKind{
	"public": LevelPublic, "login": LevelLogin, "two_factor": LevelTwoFactor,
	"staff": LevelStaff, "superuser": LevelSuperuser, "deny": LevelDeny,
}

// maxGroupNameLen bounds a group name in a rule (the admin's own limit is
// lower; this only keeps a typo from being a megabyte).
const maxGroupNameLen = 150

// ParseLevel reads a level as written in the rules file: public, login,
// two_factor, staff, superuser, deny, perm:CODE or group:NAME.
func ParseLevel(s string) (Level, error) {
	if k, ok := levelNames[s]; ok {
		return Level{Kind: k}, nil
	}
	if code, ok := strings.CutPrefix(s, "perm:"); ok {
		if !ValidPermCode(code) {
			return Level{}, fmt.Errorf("perm:%s: want a permission code area.action in lower-case letters, digits and _", truncate(code, 64))
		}
		return Level{Kind: LevelPerm, Arg: code}, nil
	}
	if name, ok := strings.CutPrefix(s, "group:"); ok {
		if name == "" || len(name) > maxGroupNameLen || strings.TrimSpace(name) != name {
			return Level{}, fmt.Errorf("group:%s: want a group name", truncate(name, 64))
		}
		return Level{Kind: LevelGroup, Arg: name}, nil
	}
	return Level{}, fmt.Errorf("unknown level %q: want public, login, two_factor, staff, superuser, perm:CODE, group:NAME or deny", truncate(s, 64))
}

func (l Level) String() string {
	switch l.Kind {
	case LevelPerm:
		return "perm:" + l.Arg
	case LevelGroup:
		return "group:" + l.Arg
	}
	for name, k := range levelNames {
		if k == l.Kind {
			return name
		}
	}
	return "deny"
}

// AccessRule is one rule of the file.
type AccessRule struct {
	// Host is a lower-case host name, or "*.domain" for any subdomain.
	Host string
	// Path is "" for any path, else an absolute path pattern: exact, or
	// ending in "*" for any rest ("/x/*" also matches "/x").
	Path string
	// Methods are upper-case; empty means any.
	Methods []string
	// Networks limit the rule to these client addresses; empty means any.
	Networks []netip.Prefix
	Require  Level
	// Line is where the rule starts in its file, for logs.
	Line int
}

// AccessRules are the parsed rules: the first matching one wins, else
// Default.
type AccessRules struct {
	Rules   []AccessRule
	Default Level
}

// AccessRequest is the original request a proxy asks about, normalised
// (NormalizeHost, NormalizePath).
type AccessRequest struct {
	Method string
	Host   string
	Path   string
	// Client is the client's address; the zero Addr is in no network.
	Client netip.Addr
}

// Check validates a rule built in code or decoded from a file; the
// message names the field at fault.
func (r *AccessRule) Check() error {
	if err := checkHostPattern(r.Host); err != nil {
		return err
	}
	if r.Path != "" {
		if err := checkPathPattern(r.Path); err != nil {
			return err
		}
	}
	for _, m := range r.Methods {
		if !validMethod(m) {
			return fmt.Errorf("method %q: want an upper-case HTTP method such as GET", truncate(m, 32))
		}
	}
	if r.Require.Kind == 0 {
		return errors.New("require: missing")
	}
	return nil
}

func checkHostPattern(h string) error {
	if h == "" {
		return errors.New("host: missing")
	}
	rest := h
	if s, ok := strings.CutPrefix(h, "*."); ok {
		rest = s
	}
	if n, ok := NormalizeHost(rest); !ok || n != rest || strings.Contains(rest, ":") {
		return fmt.Errorf("host %q: want a lower-case host name without a port, or *.domain", truncate(h, 64))
	}
	return nil
}

func checkPathPattern(p string) error {
	body, wild := strings.CutSuffix(p, "*")
	if !strings.HasPrefix(p, "/") || strings.Contains(body, "*") {
		return fmt.Errorf("path %q: want an absolute path, with * only at the end", truncate(p, 64))
	}
	// A pattern must be written the way requests are matched, or it could
	// never match: no dot segments, no doubled slashes, no escapes.
	if n, ok := NormalizePath(body); !ok || n != body && !(wild && n+"/" == body) {
		return fmt.Errorf("path %q: want a clean path (no . or .. segments, //, %% or \\)", truncate(p, 64))
	}
	return nil
}

func validMethod(m string) bool {
	if m == "" || len(m) > 20 {
		return false
	}
	for i := 0; i < len(m); i++ {
		if m[i] < 'A' || m[i] > 'Z' {
			return false
		}
	}
	return true
}

// Match returns the level for req and the index of the rule that gave it
// (-1: the default).
func (rs *AccessRules) Match(req AccessRequest) (Level, int) {
	for i := range rs.Rules {
		if rs.Rules[i].matches(req) {
			return rs.Rules[i].Require, i
		}
	}
	def := rs.Default
	if def.Kind == 0 {
		def = Level{Kind: LevelDeny}
	}
	return def, -1
}

func (r *AccessRule) matches(req AccessRequest) bool {
	if !MatchHost(r.Host, req.Host) || r.Path != "" && !MatchPath(r.Path, req.Path) {
		return false
	}
	if len(r.Methods) > 0 && !slices.Contains(r.Methods, req.Method) {
		return false
	}
	if len(r.Networks) > 0 {
		if !req.Client.IsValid() {
			return false
		}
		return slices.ContainsFunc(r.Networks, func(p netip.Prefix) bool { return p.Contains(req.Client) })
	}
	return true
}

// MatchHost reports whether a normalised host matches a pattern: equal,
// or for "*.domain" any host ending in ".domain" (not domain itself).
func MatchHost(pattern, host string) bool {
	if suffix, ok := strings.CutPrefix(pattern, "*"); ok {
		return len(host) > len(suffix) && strings.HasSuffix(host, suffix)
	}
	return pattern == host
}

// MatchPath reports whether a normalised path matches a pattern: without
// "*" the same path; with a trailing "*" any path starting with what comes
// before it, where "/x/*" matches "/x" itself too.
func MatchPath(pattern, p string) bool {
	prefix, wild := strings.CutSuffix(pattern, "*")
	if !wild {
		return p == pattern
	}
	if strings.HasSuffix(prefix, "/") && len(prefix) > 1 && p == prefix[:len(prefix)-1] {
		return true
	}
	return strings.HasPrefix(p, prefix)
}

// HostAllowed reports whether a normalised host is named by a rule, for
// the rd redirect after sign-in. Rules of any level count: a deny rule's
// host is still one of ours.
func (rs *AccessRules) HostAllowed(host string) bool {
	if rs == nil {
		return false
	}
	for i := range rs.Rules {
		if MatchHost(rs.Rules[i].Host, host) {
			return true
		}
	}
	return false
}

// PermCodes lists, sorted and once each, the permission codes perm: rules
// name.
func (rs *AccessRules) PermCodes() []string {
	var out []string
	for _, r := range rs.Rules {
		if r.Require.Kind == LevelPerm {
			out = append(out, r.Require.Arg)
		}
	}
	if rs.Default.Kind == LevelPerm {
		out = append(out, rs.Default.Arg)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
