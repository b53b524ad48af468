package auth

import (
	"slices"
	"strings"
	"testing"
)

func TestValidPermCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want bool
	}{
		{"users.view", true},
		{"audit.view", true},
		{"a.b", true},
		{"area_1.do_thing_2", true},
		{"_._", true},
		{strings.Repeat("a", 50) + "." + strings.Repeat("b", 50), true},

		{"", false},
		{".", false},
		{"users", false},
		{"users.", false},
		{".view", false},
		{"users.view.all", false},
		{"Users.view", false},
		{"users.View", false},
		{"users-x.view", false},
		{"users .view", false},
		{" users.view", false},
		{"users.view\n", false},
		{"users.vïew", false},
		{"users.view\x00", false},
		{strings.Repeat("a", 51) + ".b", false},
		{"a." + strings.Repeat("b", 51), false},
	}
	for _, tt := range tests {
		if got := ValidPermCode(tt.code); got != tt.want {
			t.Errorf("ValidPermCode(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestBuiltinPerms(t *testing.T) {
	t.Parallel()
	want := []Perm{
		{"users.view", "Can view users"},
		{"users.change", "Can change users"},
		{"users.delete", "Can delete users"},
		{"groups.view", "Can view groups"},
		{"groups.change", "Can change groups"},
		{"audit.view", "Can view the audit log"},
	}
	got := BuiltinPerms()
	if !slices.Equal(got, want) {
		t.Fatalf("BuiltinPerms() = %v, want %v", got, want)
	}
	for _, p := range got {
		if !ValidPermCode(p.Code) {
			t.Errorf("builtin code %q is invalid", p.Code)
		}
	}
	got[0].Code = "mutated"
	if BuiltinPerms()[0].Code != "users.view" {
		t.Fatal("BuiltinPerms returns shared storage")
	}
}

func TestPrincipalHasPerm(t *testing.T) {
	t.Parallel()
	perms := map[string]bool{"users.view": true, "users.change": false}
	tests := []struct {
		name string
		p    Principal
		code string
		want bool
	}{
		{"granted", Principal{IsActive: true, Perms: perms}, "users.view", true},
		{"explicit false", Principal{IsActive: true, Perms: perms}, "users.change", false},
		{"not granted", Principal{IsActive: true, Perms: perms}, "audit.view", false},
		{"nil perms", Principal{IsActive: true}, "users.view", false},
		{"staff alone grants nothing", Principal{IsActive: true, IsStaff: true}, "users.view", false},
		{"superuser", Principal{IsActive: true, IsSuperuser: true}, "audit.view", true},
		{"superuser unknown code", Principal{IsActive: true, IsSuperuser: true}, "anything.at_all", true},
		{"inactive", Principal{Perms: perms}, "users.view", false},
		{"inactive superuser", Principal{IsSuperuser: true, IsStaff: true, Perms: perms}, "users.view", false},
		{"zero value", Principal{}, "users.view", false},
	}
	for _, tt := range tests {
		if got := tt.p.HasPerm(tt.code); got != tt.want {
			t.Errorf("%s: HasPerm(%q) = %v, want %v", tt.name, tt.code, got, tt.want)
		}
	}
}

func TestPrincipalEffective(t *testing.T) {
	t.Parallel()
	known := []string{"users.view", "audit.view", "groups.change", "users.view"}
	perms := map[string]bool{"users.view": true, "groups.change": true, "stale.perm": true, "audit.view": false}
	tests := []struct {
		name string
		p    Principal
		want []string
	}{
		{"direct", Principal{IsActive: true, Perms: perms}, []string{"groups.change", "users.view"}},
		{"superuser", Principal{IsActive: true, IsSuperuser: true}, []string{"audit.view", "groups.change", "users.view"}},
		{"inactive superuser", Principal{IsSuperuser: true, Perms: perms}, []string{}},
		{"none", Principal{IsActive: true}, []string{}},
	}
	for _, tt := range tests {
		got := tt.p.Effective(known)
		if got == nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: Effective = %#v, want %#v", tt.name, got, tt.want)
		}
	}
	if known[0] != "users.view" || known[1] != "audit.view" {
		t.Fatal("Effective reordered its argument")
	}
}

func FuzzValidPermCode(f *testing.F) {
	for _, s := range []string{"users.view", "a.b", "", ".", "A.b", "a.b.c", strings.Repeat("a", 51) + ".b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		if !ValidPermCode(code) {
			return
		}
		area, action, _ := strings.Cut(code, ".")
		for _, part := range []string{area, action} {
			if len(part) < 1 || len(part) > 50 || strings.Trim(part, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
				t.Fatalf("ValidPermCode accepted %q", code)
			}
		}
	})
}

func BenchmarkValidPermCode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ValidPermCode("groups.change")
	}
}

func BenchmarkHasPerm(b *testing.B) {
	p := Principal{IsActive: true, Perms: map[string]bool{"users.view": true, "groups.change": true}}
	b.ReportAllocs()
	for b.Loop() {
		p.HasPerm("groups.change")
	}
}
