package kv

import "testing"

// A kept entry is used only for the session whose key it reads.
func TestNamesSession(t *testing.T) {
	r := &Redis{prefix: "p:"}
	for _, tc := range []struct {
		key, id string
		want    bool
	}{
		{"p:sess:abc", "abc", true},
		{"p:sess:abd", "abc", false},
		{"p:sess:xabc", "abc", false},
		{"p:sesx:abc", "abc", false},
		{"q:sess:abc", "abc", true}, // the prefix is the store's own, not checked again
		{"p:uver:abc", "abc", false},
	} {
		if got := r.namesSession(tc.key, tc.id); got != tc.want {
			t.Errorf("namesSession(%q, %q) = %v, want %v", tc.key, tc.id, got, tc.want)
		}
	}
}
