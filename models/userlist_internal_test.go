package models

import (
	"fmt"
	"strings"
	"testing"
)

func TestRarePart(t *testing.T) {
	t.Parallel()
	var seeded []string
	for i := range 101 {
		seeded = append(seeded, fmt.Sprintf("user%06d@example.test", i*9901))
	}
	cases := []struct{ q, want string }{
		{"user0123", "er0123"}, // "use" and "ser" are in every value
		{"user054321", "er054321"},
		{"user", "user"}, // all common: the planner decides with q
		{"example.test", "example.test"},
		{"zq7x", "zq7x"},        // all rare: q itself
		{"ab", "ab"},            // no trigram at all
		{"xyzuserqwe", "xyzus"}, // two rare runs: the longer one (ties: the first)
		{"userabcdefg", "erabcdefg"},
	}
	for _, c := range cases {
		got := rarePart(c.q, seeded)
		if got != c.want {
			t.Errorf("rarePart(%q) = %q, want %q", c.q, got, c.want)
		}
		if !strings.Contains(c.q, got) {
			t.Errorf("rarePart(%q) = %q is not part of it", c.q, got)
		}
	}
	// Too small a sample tells nothing.
	if got := rarePart("user0123", seeded[:10]); got != "user0123" {
		t.Errorf("small sample: %q", got)
	}
}

func TestCursorRoundTripAndTampering(t *testing.T) {
	t.Parallel()
	u := &User{ID: 42, UsernameKey: "a|b", EmailKey: "x@y.z"}
	for _, sort := range UserSorts {
		c := encodeCursor(sort, u)
		got, err := decodeCursor(sort, c)
		if err != nil || got.id != 42 {
			t.Fatalf("%s: %+v %v", sort, got, err)
		}
		if sort == SortUsername && got.str != "a|b" {
			t.Fatalf("username with a separator: %q", got.str)
		}
		for _, other := range UserSorts {
			if other != sort {
				if _, err := decodeCursor(other, c); err == nil {
					t.Errorf("cursor of %s accepted for %s", sort, other)
				}
			}
		}
	}
	for _, bad := range []string{"", "!!", "dXNlcm5hbWU", "dXNlcm5hbWV8YXww", "am9pbmVkfHh8MQ", strings.Repeat("A", 3000)} {
		if _, err := decodeCursor(SortUsername, bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
