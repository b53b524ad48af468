package handlers_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/components/admin"
)

// Every audit event a handler records is offered in the audit log's filter.
func TestAuditEventsAreKnown(t *testing.T) {
	t.Parallel()
	// Handlers record through s.event; the use cases in account through
	// Record and recordIn.
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob("../account/*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, more...)
	re := regexp.MustCompile(`(?:s\.event\(c|\.Record\(ctx, [a-zA-Z.()]+|\.recordIn\(ctx, [a-z]+, [a-zA-Z.()]+), "([a-z_]+)"`)
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen++
			if !slices.Contains(admin.KnownEvents, m[1]) {
				t.Errorf("%s records %q, which the audit filter does not offer", f, m[1])
			}
		}
	}
	if seen < 10 {
		t.Fatalf("found only %d audit calls; the pattern is stale", seen)
	}
}
