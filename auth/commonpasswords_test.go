package auth

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

// commonPasswordCount is the number of distinct entries in the embedded
// file. (`zcat | wc -l` prints one less: the last line has no newline.)
const commonPasswordCount = 19727

func TestCommonPasswordList(t *testing.T) {
	t.Parallel()
	set := commonPasswords()
	if len(set) != commonPasswordCount {
		t.Fatalf("embedded list has %d entries, want %d", len(set), commonPasswordCount)
	}
	for p := range set {
		if p != strings.ToLower(p) || p != strings.TrimSpace(p) || p == "" {
			t.Fatalf("entry %q is not lower-cased and trimmed, so it can never match", p)
		}
	}
}

func TestIsCommonPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"password", true},
		{"PASSWORD", true},
		{"PassWord", true},
		{" password\n", true},
		{"12345678", true},
		{"iloveyou", true},
		{"qwerty123", true},
		{"chobits", true}, // last line of the file, which has no newline
		{"bigpimpin1", true},
		{"", false},
		{"Tr0ub4dor&3", false},
		{"correct horse battery staple", false},
		{"pass word", false},
		{"password\x00", false},
	}
	for _, tt := range tests {
		if got := IsCommonPassword(tt.in); got != tt.want {
			t.Errorf("IsCommonPassword(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseCommonPasswords(t *testing.T) {
	t.Parallel()
	if _, err := parseCommonPasswords([]byte("not gzip")); err == nil {
		t.Error("parseCommonPasswords accepted non-gzip data")
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("alpha\r\n\n  beta  \ngamma"))
	zw.Close()
	set, err := parseCommonPasswords(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"alpha", "beta", "gamma"} {
		if _, ok := set[w]; !ok {
			t.Errorf("%q missing from %v", w, set)
		}
	}
	if len(set) != 3 {
		t.Errorf("got %d entries, want 3", len(set))
	}
	// A truncated stream is an error, not a silently shorter list.
	if _, err := parseCommonPasswords(buf.Bytes()[:buf.Len()-4]); err == nil {
		t.Error("parseCommonPasswords accepted a truncated stream")
	}
}

func BenchmarkIsCommonPassword(b *testing.B) {
	IsCommonPassword("") // exclude the one-time decompression
	b.ReportAllocs()
	for b.Loop() {
		IsCommonPassword("Correct Horse Battery Staple")
	}
}

func BenchmarkParseCommonPasswords(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseCommonPasswords(commonPasswordsGz); err != nil {
			b.Fatal(err)
		}
	}
}
