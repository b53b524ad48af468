package auth

import (
	"net/netip"
	"path"
	"strings"
	"testing"
)

func TestNormalizePath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw, want string
		ok        bool
	}{
		{"/", "/", true},
		{"/a/b?q=1#f", "/a/b", true},
		{"/a/b/", "/a/b", true},
		{"/a//b", "/a/b", true},
		{"/static/../admin", "/admin", true},
		{"/static/%2e%2e/admin", "/admin", true},
		{"/static/%2E%2E/admin", "/admin", true},
		{"/static/.%2e/admin", "/admin", true},
		{"/static/./x", "/static/x", true},
		{"/../../etc/passwd", "/etc/passwd", true},
		{"/a%20b", "/a b", true},
		{"/caf%C3%A9", "/café", true},
		{"/static/..%2fadmin", "", false},
		{"/static/..%2Fadmin", "", false},
		{"/static/..%5cadmin", "", false},
		{"/static/..\\admin", "", false},
		{"/static/%252e%252e/admin", "", false},
		{"/static/%25", "", false},
		{"/static/..;/admin", "", false},
		{"/static/.;/admin", "", false},
		{"/static/..;jsessionid=1/admin", "", false},
		{"/a;b/c", "/a;b/c", true}, // a parameter on an ordinary segment changes nothing
		{"/x%00", "", false},
		{"/x%0a", "", false},
		{"/x\x00", "", false},
		{"/x\x7f", "", false},
		{"/x%", "", false},
		{"/x%2", "", false},
		{"/x%zz", "", false},
		{"", "", false},
		{"x", "", false},
		{"?/a", "", false},
		{"https://evil/a", "", false},
	} {
		got, ok := NormalizePath(tc.raw)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizePath(%q) = %q, %v; want %q, %v", tc.raw, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNormalizeHost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"app.example.com", "app.example.com", true},
		{"App.Example.COM", "app.example.com", true},
		{"app.example.com:8443", "app.example.com", true},
		{"app.example.com.", "app.example.com", true},
		{"app.example.com.:443", "app.example.com", true},
		{"localhost", "localhost", true},
		{"10.0.0.1:80", "10.0.0.1", true},
		{"[2001:DB8::1]:443", "[2001:db8::1]", true},
		{"[::1]", "[::1]", true},
		{"", "", false},
		{".", "", false},
		{"a..b", "", false},
		{".a.b", "", false},
		{"app.example.com:", "", false},
		{"app.example.com:8x", "", false},
		{"app.example.com:123456", "", false},
		{"evil.com/app.example.com", "", false},
		{"app.example.com@evil.com", "", false},
		{"app.example.com\\evil", "", false},
		{"app.example.com evil", "", false},
		{"%61pp.example.com", "", false},
		{"ápp.example.com", "", false},
		{"[::1", "", false},
		{"[10.0.0.1]", "", false},
		{"[fe80::1%eth0]", "", false},
		{"a,b", "", false},
	} {
		got, ok := NormalizeHost(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeHost(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestMatchHostAndPath(t *testing.T) {
	t.Parallel()
	hosts := []struct {
		pattern, host string
		want          bool
	}{
		{"app.example.com", "app.example.com", true},
		{"app.example.com", "xapp.example.com", false},
		{"app.example.com", "app.example.com.evil", false},
		{"*.example.com", "app.example.com", true},
		{"*.example.com", "a.b.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "evilexample.com", false},
		{"*.example.com", ".example.com", false},
	}
	for _, tc := range hosts {
		if got := MatchHost(tc.pattern, tc.host); got != tc.want {
			t.Errorf("MatchHost(%q, %q) = %v", tc.pattern, tc.host, got)
		}
	}
	paths := []struct {
		pattern, path string
		want          bool
	}{
		{"/x/*", "/x", true},
		{"/x/*", "/x/", true},
		{"/x/*", "/x/a/b", true},
		{"/x/*", "/xy", false},
		{"/x/*", "/", false},
		{"/x*", "/xy", true},
		{"/x*", "/x", true},
		{"/x", "/x", true},
		{"/x", "/x/a", false},
		{"/x", "/xy", false},
		{"/*", "/", true},
		{"/*", "/anything/at/all", true},
		{"/", "/", true},
		{"/", "/a", false},
	}
	for _, tc := range paths {
		if got := MatchPath(tc.pattern, tc.path); got != tc.want {
			t.Errorf("MatchPath(%q, %q) = %v", tc.pattern, tc.path, got)
		}
	}
}

func TestAccessRulesMatch(t *testing.T) {
	t.Parallel()
	lv := func(s string) Level {
		l, err := ParseLevel(s)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	rs := &AccessRules{Rules: []AccessRule{
		{Host: "app.example.com", Path: "/static/*", Methods: []string{"GET", "HEAD"}, Require: lv("public"), Line: 1},
		{Host: "app.example.com", Path: "/admin/*", Require: lv("perm:app.admin"), Line: 2},
		{Host: "app.example.com", Networks: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, Require: lv("public"), Line: 3},
		{Host: "*.example.com", Require: lv("login"), Line: 4},
	}}
	ip := netip.MustParseAddr
	for _, tc := range []struct {
		req  AccessRequest
		want string
		rule int
	}{
		{AccessRequest{Method: "GET", Host: "app.example.com", Path: "/static/a.css"}, "public", 0},
		{AccessRequest{Method: "POST", Host: "app.example.com", Path: "/static/a.css"}, "login", 3},
		{AccessRequest{Method: "GET", Host: "app.example.com", Path: "/admin"}, "perm:app.admin", 1},
		{AccessRequest{Method: "GET", Host: "app.example.com", Path: "/x", Client: ip("10.9.9.9")}, "public", 2},
		{AccessRequest{Method: "GET", Host: "app.example.com", Path: "/x", Client: ip("11.0.0.1")}, "login", 3},
		{AccessRequest{Method: "GET", Host: "app.example.com", Path: "/x"}, "login", 3}, // no client address: no network
		{AccessRequest{Method: "GET", Host: "example.com", Path: "/"}, "deny", -1},
		{AccessRequest{Method: "GET", Host: "other.org", Path: "/"}, "deny", -1},
	} {
		l, i := rs.Match(tc.req)
		if l.String() != tc.want || i != tc.rule {
			t.Errorf("Match(%+v) = %s, %d; want %s, %d", tc.req, l, i, tc.want, tc.rule)
		}
	}
	rs.Default = lv("login")
	if l, _ := rs.Match(AccessRequest{Host: "other.org", Path: "/"}); l.Kind != LevelLogin {
		t.Errorf("default: %s", l)
	}
	if !rs.HostAllowed("app.example.com") || !rs.HostAllowed("x.example.com") || rs.HostAllowed("example.com") || rs.HostAllowed("evil.com") {
		t.Error("HostAllowed")
	}
	var none *AccessRules
	if none.HostAllowed("app.example.com") {
		t.Error("nil rules allow a host")
	}
	if got := strings.Join(rs.PermCodes(), ","); got != "app.admin" {
		t.Errorf("PermCodes = %q", got)
	}
}

func TestLevelDecide(t *testing.T) {
	t.Parallel()
	user := &Principal{IsActive: true, Perms: map[string]bool{"app.read": true}, Groups: []string{"editors"}}
	staff := &Principal{IsActive: true, IsStaff: true}
	super := &Principal{IsActive: true, IsStaff: true, IsSuperuser: true}
	inactive := &Principal{IsStaff: true, IsSuperuser: true, Perms: map[string]bool{"app.read": true}}
	for _, tc := range []struct {
		level string
		who   *Principal
		mfa   bool
		want  Verdict
	}{
		{"public", nil, false, Allow},
		{"public", user, false, Allow},
		{"deny", nil, false, Refuse},
		{"deny", super, true, Refuse},
		{"login", nil, false, NeedSignIn},
		{"login", user, false, Allow},
		{"login", inactive, false, Refuse},
		{"two_factor", nil, false, NeedSignIn},
		{"two_factor", super, false, Refuse},
		{"two_factor", user, true, Allow},
		{"staff", user, false, Refuse},
		{"staff", staff, false, Allow},
		{"staff", nil, false, NeedSignIn},
		{"superuser", staff, false, Refuse},
		{"superuser", super, false, Allow},
		{"perm:app.read", user, false, Allow},
		{"perm:app.write", user, false, Refuse},
		{"perm:app.write", super, false, Allow},
		{"perm:app.read", inactive, false, Refuse},
		{"perm:app.read", nil, false, NeedSignIn},
		{"group:editors", user, false, Allow},
		{"group:Editors", user, false, Refuse},
		{"group:editors", super, false, Refuse}, // membership, not rank
	} {
		l, err := ParseLevel(tc.level)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Decide(tc.who, tc.mfa); got != tc.want {
			t.Errorf("%s for %+v (mfa %v) = %v, want %v", tc.level, tc.who, tc.mfa, got, tc.want)
		}
	}
}

func TestParseLevel(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"public", "login", "two_factor", "staff", "superuser", "deny", "perm:app.admin", "group:Team A"} {
		l, err := ParseLevel(s)
		if err != nil || l.String() != s {
			t.Errorf("ParseLevel(%q) = %v, %v", s, l, err)
		}
	}
	for _, s := range []string{"", "Public", "admin", "perm:", "perm:App.admin", "perm:app", "group:", "group: x", "perm :a.b", "deny "} {
		if _, err := ParseLevel(s); err == nil {
			t.Errorf("ParseLevel(%q) accepted", s)
		}
	}
}

func TestAccessRuleCheck(t *testing.T) {
	t.Parallel()
	ok := Level{Kind: LevelLogin}
	for _, r := range []AccessRule{
		{Host: "app.example.com", Require: ok},
		{Host: "*.example.com", Path: "/x/*", Methods: []string{"GET"}, Require: ok},
		{Host: "localhost", Path: "/", Require: ok},
		{Host: "a.b", Path: "/x*", Require: ok},
	} {
		if err := r.Check(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
	for _, r := range []AccessRule{
		{Host: "", Require: ok},
		{Host: "*", Require: ok},
		{Host: "*.", Require: ok},
		{Host: "a.*.com", Require: ok},
		{Host: "App.example.com", Require: ok},
		{Host: "app.example.com:443", Require: ok},
		{Host: "app.example.com", Path: "x", Require: ok},
		{Host: "app.example.com", Path: "/a/*/b", Require: ok},
		{Host: "app.example.com", Path: "/a/../b", Require: ok},
		{Host: "app.example.com", Path: "/a/", Require: ok},
		{Host: "app.example.com", Path: "/a%2fb", Require: ok},
		{Host: "app.example.com", Methods: []string{"get"}, Require: ok},
		{Host: "app.example.com"},
	} {
		if err := r.Check(); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
}

func TestSafeReturn(t *testing.T) {
	t.Parallel()
	allowed := func(h string) bool {
		return h == "app.example.com" || MatchHost("*.example.com", h) || h == "localhost"
	}
	for _, rd := range []string{
		"https://app.example.com/", "https://app.example.com", "http://app.example.com/x?y=1#z",
		"HTTPS://APP.EXAMPLE.COM/x", "https://app.example.com:8443/x", "https://a.b.example.com/",
		"http://localhost:8080/account", "https://app.example.com./x",
	} {
		if got, ok := SafeReturn(rd, allowed); !ok || got != rd {
			t.Errorf("SafeReturn(%q) = %q, %v", rd, got, ok)
		}
	}
	for _, rd := range []string{
		"", "/account", "//app.example.com/", "https://example.com/", "https://evil.example.com.attacker/",
		"https://app.example.com@evil.com/", "https://app.example.com:443@evil.com", "https://evil.com\\@app.example.com",
		"https:\\\\app.example.com", "https:/app.example.com", "https:app.example.com", "javascript:alert(1)",
		"javascript://app.example.com/%0aalert(1)", "data:text/html,x", "ftp://app.example.com/",
		"https://app.example.com:x/", "https://app.example.com\t/", "https://app.example.com /",
		"https://app.example.com\n.evil.com/", "https://%61pp.example.com/", "https://evil.com#@app.example.com",
		"https://evil.com?@app.example.com", "https://ápp.example.com/", "https://app.example.com/\u202e",
		"https://[::1]/", "https://" + strings.Repeat("a", 2100) + ".example.com/",
	} {
		if got, ok := SafeReturn(rd, allowed); ok {
			t.Errorf("SafeReturn(%q) allowed as %q", rd, got)
		}
	}
}

// FuzzAccessMatch checks the properties the rules rely on, for any input:
// a normalised path is clean, absolute, has no escapes or backslashes, so
// no ".." can climb out of a matched prefix; a normalised host is
// lower-case without port; and SafeReturn only passes URLs whose host the
// caller allowed.
func FuzzAccessMatch(f *testing.F) {
	for _, s := range []string{"/static/../admin", "/static/%2e%2e/admin", "/a/%2f", "/..;/", "app.example.com:80",
		"https://app.example.com@evil/", "HTTPS://APP.example.com./x", "/x/*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, ok := NormalizePath(s); ok {
			if p != path.Clean(p) || !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\%\x00") {
				t.Fatalf("NormalizePath(%q) = %q", s, p)
			}
			for seg := range strings.SplitSeq(p, "/") {
				if seg == ".." || seg == "." {
					t.Fatalf("NormalizePath(%q) = %q keeps a dot segment", s, p)
				}
			}
			if MatchPath("/static/*", p) && !strings.HasPrefix(p+"/", "/static/") {
				t.Fatalf("%q matched /static/* as %q", s, p)
			}
		}
		if h, ok := NormalizeHost(s); ok {
			if h != strings.ToLower(h) || strings.ContainsAny(h, "/@\\%?# ") || !strings.HasPrefix(h, "[") && strings.Contains(h, ":") {
				t.Fatalf("NormalizeHost(%q) = %q", s, h)
			}
		}
		var seen string
		if rd, ok := SafeReturn(s, func(h string) bool { seen = h; return h == "app.example.com" }); ok {
			if rd != s || seen != "app.example.com" || !strings.HasPrefix(strings.ToLower(s), "http") {
				t.Fatalf("SafeReturn(%q) = %q (host %q)", s, rd, seen)
			}
		}
	})
}
