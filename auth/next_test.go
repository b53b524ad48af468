package auth

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"/", true},
		{"/admin", true},
		{"/admin/users?page=2&sort=name", true},
		{"/a/b/../c", true},
		{"/path#frag", true},
		{"/search?q=%2F%2Fevil.com", true},
		{"/%2F%2Fevil.com", true}, // a path segment, not a host
		{"/caf%C3%A9", true},
		{"/café", true},
		{"/a:b", true},
		{"/?next=https://evil.com", true},
		{"/" + strings.Repeat("a", 2047), true},

		{"", false},
		{"admin", false},
		{"./admin", false},
		{"//evil.com", false},
		{"///evil.com", false},
		{"/\\evil.com", false},
		{"\\/evil.com", false},
		{"/a\\b", false},
		{"https://evil.com", false},
		{"http:/evil.com", false},
		{"javascript:alert(1)", false},
		{"data:text/html,x", false},
		{" /admin", false},
		{"/\t/evil.com", false},
		{"/\n/evil.com", false},
		{"/\r\nLocation: https://evil.com", false},
		{"/admin\x00", false},
		{"/admin\x7f", false},
		{"/admin\u0085", false},
		{"/admin\u202e", false}, // bidi override
		{"/\u200b/evil.com", false},
		{"/admin\xff", false},
		{"/%zz", false},
		{"/" + strings.Repeat("a", 2048), false},
	}
	for _, tt := range tests {
		got, ok := SafeNext(tt.in)
		if ok != tt.want {
			t.Errorf("SafeNext(%q) ok = %v, want %v", short(tt.in), ok, tt.want)
		}
		if ok && got != tt.in {
			t.Errorf("SafeNext(%q) = %q, want it unchanged", short(tt.in), got)
		}
		if !ok && got != "" {
			t.Errorf("SafeNext(%q) = %q on rejection, want empty", short(tt.in), got)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/admin?x=1", "//evil.com", "/\\evil.com", "https://x", "/%2F", "/\t/x", "/a:b", "/?a#b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got, ok := SafeNext(next)
		if !ok {
			if got != "" {
				t.Fatalf("SafeNext(%q) rejected but returned %q", next, got)
			}
			return
		}
		if got != next || len(got) > 2048 || !utf8.ValidString(got) {
			t.Fatalf("SafeNext(%q) = %q", next, got)
		}
		if got[0] != '/' || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n\x00") {
			t.Fatalf("SafeNext accepted %q", got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
			t.Fatalf("SafeNext accepted %q: url.Parse = %#v, %v", got, u, err)
		}
		// Resolved against our origin it must stay on our origin, as a
		// browser would resolve a Location header.
		base, _ := url.Parse("https://gatehouse.example/login")
		if r := base.ResolveReference(u); r.Host != base.Host || r.Scheme != base.Scheme {
			t.Fatalf("SafeNext accepted %q, which resolves to %v", got, r)
		}
	})
}

func BenchmarkSafeNext(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"ok", "/admin/users?page=2&sort=name"},
		{"rejected", "//evil.com/admin"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				SafeNext(bc.in)
			}
		})
	}
}
