package account

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/gatehouse/gatehouse/auth"
)

// Forward-auth (CONTRACT §9): a reverse proxy asks, for every request to
// an app it protects, whether the session's user may make it. The rules
// live in memory and are swapped whole (UseAccessRules), so deciding is a
// lookup with no I/O: it runs on every proxied request.

// accessState is one generation of rules with what they need at hand.
type accessState struct {
	rules *auth.AccessRules
	// known are every permission code there is, sorted: a superuser's
	// Remote-Permissions.
	known []string
}

// AccessEnabled reports whether forward-auth has rules; without, its
// routes do not exist.
func (s *Service) AccessEnabled() bool { return s.access.Load() != nil }

// UseAccessRules makes rules the ones every later decision uses. The
// permission codes their perm: levels name are registered first, so that
// they can be granted in the admin; a code already there keeps its name.
// On an error the rules in use stay.
func (s *Service) UseAccessRules(ctx context.Context, rules *auth.AccessRules) error {
	st, err := s.accessState(ctx, rules)
	if err != nil {
		return err
	}
	s.access.Store(st)
	return nil
}

// PermsRegistered refreshes the codes a superuser's identity lists after
// a program registered permissions of its own. A reload meanwhile wins.
func (s *Service) PermsRegistered(ctx context.Context) error {
	cur := s.access.Load()
	if cur == nil {
		return nil
	}
	st, err := s.accessState(ctx, cur.rules)
	if err != nil {
		return err
	}
	s.access.CompareAndSwap(cur, st)
	return nil
}

func (s *Service) accessState(ctx context.Context, rules *auth.AccessRules) (*accessState, error) {
	codes, err := s.store.Perms().Codes(ctx)
	if err != nil {
		return nil, fmt.Errorf("access rules: %w", err)
	}
	var missing []auth.Perm
	for _, code := range rules.PermCodes() {
		if !slices.Contains(codes, code) {
			missing = append(missing, auth.Perm{Code: code, Name: "Access rule " + code})
			codes = append(codes, code)
		}
	}
	if len(missing) > 0 {
		if err := s.store.Perms().Register(ctx, missing); err != nil {
			return nil, fmt.Errorf("access rules: %w", err)
		}
	}
	slices.Sort(codes)
	return &accessState{rules: rules, known: slices.Compact(codes)}, nil
}

// Identity is who a request let through is, for the headers the proxy
// passes to the app; empty for an anonymous visitor of a public rule.
type Identity struct {
	Username, Email string
	// Groups are group names; Perms are permission codes; both sorted.
	Groups, Perms []string
}

// AccessDecision is the answer for one proxied request.
type AccessDecision struct {
	Verdict auth.Verdict
	Level   auth.Level
	// Rule is the line of the rule that decided, 0 for the default.
	Rule int
	// Identity is set when Verdict is auth.Allow.
	Identity Identity
}

// Authorize decides whether who (nil: anonymous) may make req, by the
// first rule that matches it. secondFactor says whether the session
// passed a second factor. Without rules everything is refused.
func (s *Service) Authorize(req auth.AccessRequest, who *Signed, secondFactor bool) AccessDecision {
	st := s.access.Load()
	if st == nil {
		return AccessDecision{Verdict: auth.Refuse, Level: auth.Level{Kind: auth.LevelDeny}}
	}
	level, i := st.rules.Match(req)
	d := AccessDecision{Level: level}
	if i >= 0 {
		d.Rule = st.rules.Rules[i].Line
	}
	var p *auth.Principal
	if who != nil {
		p = &who.Principal
	}
	d.Verdict = level.Decide(p, secondFactor)
	if d.Verdict == auth.Allow && who != nil {
		d.Identity = identityOf(who, st.known)
	}
	return d
}

func identityOf(who *Signed, known []string) Identity {
	id := Identity{Username: who.User.Username, Email: who.User.Email, Groups: who.Principal.Groups}
	p := who.Principal
	if !p.IsActive {
		return id
	}
	perms := make([]string, 0, len(p.Perms))
	for code, ok := range p.Perms {
		if ok {
			perms = append(perms, code)
		}
	}
	if p.IsSuperuser {
		// A superuser holds every permission; the app sees every code
		// there is, as a list it can search.
		perms = append(perms, known...)
	}
	slices.Sort(perms)
	id.Perms = slices.Compact(perms)
	return id
}

// ReturnTo checks rd, where forward-auth sends a visitor after sign-in or
// sign-out: an http(s) URL on this site's host or on a host a rule names
// (CONTRACT §9).
func (s *Service) ReturnTo(rd string) (string, bool) {
	var rules *auth.AccessRules
	if st := s.access.Load(); st != nil {
		rules = st.rules
	}
	return auth.SafeReturn(rd, func(host string) bool {
		return host == s.baseHost() || rules.HostAllowed(host)
	})
}

// baseHost is the base URL's host, normalised as NormalizeHost does.
func (s *Service) baseHost() string {
	u, err := url.Parse(s.baseURL)
	if err != nil {
		return ""
	}
	h, _ := auth.NormalizeHost(u.Host)
	return h
}
