package sessions

import (
	"strings"
	"testing"
)

func TestWellFormedID(t *testing.T) {
	t.Parallel()
	for range 100 {
		if id := newID(); !WellFormedID(id) || len(id) != 43 {
			t.Fatalf("newID() = %q is not well formed", id)
		}
	}
	id := newID()
	for _, bad := range []string{
		"", "usess:1", "rl:login:acct:1", "../x", "sess:" + id, id + "A", id[:42], id[:42] + "=", id[:42] + "+",
		id[:42] + "/", strings.Repeat("A", 10<<10), id[:41] + "é",
		// Strict decoding: the last character's unused bits must be zero.
		id[:42] + "B",
	} {
		if WellFormedID(bad) && bad != id {
			t.Errorf("WellFormedID(%q) = true", bad)
		}
	}
}
