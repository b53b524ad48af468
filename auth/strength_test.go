package auth

import (
	"strings"
	"testing"
)

func TestStrength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		password string
		want     int
	}{
		{"", 0},
		{"short", 0},
		{"Xk9#mP2", 0},  // 7 characters
		{"password", 0}, // common
		{"iloveyou", 0}, // common
		{"12345678", 0}, // common and numeric
		{"98237461", 0}, // numeric, single class
		{"qzmxnvbw", 0}, // 8 lower-case letters
		{"Xk9#mP2q", 2},
		{"Tr0ub4dor&3", 3},
		{"correcthorsebatterystaple", 3},
		{"correct horse battery staple", 4},
		{"Gx7$kP2!mQ9@wR4#zT6%", 4},
		{strings.Repeat("a", 24), 0},          // one character, however long
		{strings.Repeat("abcd", 6), 1},        // few distinct characters
		{"Zq7!Zq7!Zq7!Zq7!Zq7!", 1},           // 4 distinct characters
		{"836291745083629174508362917450", 1}, // long but numeric
		{"пароль-Надёжный-2024", 4},
	}
	for _, tt := range tests {
		if got := Strength(tt.password); got != tt.want {
			t.Errorf("Strength(%q) = %d, want %d", tt.password, got, tt.want)
		}
	}
}

func TestStrengthMonotoneInLength(t *testing.T) {
	t.Parallel()
	// Appending fresh characters of a class already present never lowers
	// the score.
	pw := "Kq3!"
	prev := Strength(pw)
	for _, r := range "zyxwvutsrqponmlkjihgfedcba" {
		pw += string(r)
		s := Strength(pw)
		if s < prev {
			t.Fatalf("Strength(%q) = %d < %d", pw, s, prev)
		}
		prev = s
	}
	if prev != 4 {
		t.Fatalf("Strength(%q) = %d, want 4", pw, prev)
	}
}

func BenchmarkStrength(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Strength("correct horse battery staple")
	}
}
