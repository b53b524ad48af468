package auth

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestSimilarityRatio(t *testing.T) {
	t.Parallel()
	// Expected values from Python's difflib.SequenceMatcher(None, a, b,
	// autojunk=False).ratio().
	tests := []struct {
		a, b string
		want float64
	}{
		{"", "", 1},
		{"abc", "", 0},
		{"abcd", "bcde", 0.75},
		{"password", "passwort", 0.875},
		{"alice2024", "alice", 0.7142857142857143},
		{"qwerty", "ytrewq", 0.16666666666666666},
		{"abxcd", "abcd", 0.8888888888888888},
		{"private", "pirate", 0.7692307692307693},
		{"johnsmith", "smithjohn", 0.5555555555555556},
		{"tide", "diet", 0.25},
		{"aaaa", "aa", 0.6666666666666666},
		{"日本語テキスト", "日本語", 0.6},
		{"abcdefgh", "hgfedcba", 0.125},
		{strings.Repeat("a", 300), "aaa", 0.019801980198019802},
	}
	for _, tt := range tests {
		got := similarityRatio([]rune(tt.a), []rune(tt.b))
		if math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("similarityRatio(%q, %q) = %v, want %v", short(tt.a), tt.b, got, tt.want)
		}
	}
}

// TestSimilarityRatioMatchesDifflib compares the matching-block count with
// Python's on random strings over small alphabets, where ties between
// equally long matches decide the result.
func TestSimilarityRatioMatchesDifflib(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/difflib_matches.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			t.Fatalf("bad line %q", line)
		}
		want, err := strconv.Atoi(fields[2])
		if err != nil {
			t.Fatal(err)
		}
		a, b := []rune(fields[0]), []rune(fields[1])
		prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
		if got := matchingRunes(a, b, 0, len(a), 0, len(b), prev, cur); got != want {
			t.Errorf("matches(%q, %q) = %d, difflib says %d", fields[0], fields[1], got, want)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d cases read", n)
	}
}

func FuzzSimilarityRatio(f *testing.F) {
	f.Add("password", "passwort")
	f.Add("", "x")
	f.Add("aaaa", "aa")
	f.Fuzz(func(t *testing.T, a, b string) {
		ra, rb := []rune(a), []rune(b)
		if len(ra) > maxRatioLen || len(rb) > maxRatioLen {
			return
		}
		r := similarityRatio(ra, rb)
		if r < 0 || r > 1 || math.IsNaN(r) {
			t.Fatalf("similarityRatio(%q, %q) = %v", a, b, r)
		}
		// Compared as runes: invalid bytes all decode to U+FFFD.
		if (r == 1) != (string(ra) == string(rb)) {
			t.Fatalf("similarityRatio(%q, %q) = %v", a, b, r)
		}
	})
}

func BenchmarkSimilarityRatio(b *testing.B) {
	for _, bc := range []struct{ name, a, b string }{
		{"typical", "correct horse battery", "alice.smith@example.com"},
		// Worst cases at the size cap: many equal runes (long DP rows)
		// and reversed distinct runes (deep recursion).
		{"max repeated", strings.Repeat("ab", maxRatioLen/2), strings.Repeat("ba", maxRatioLen/2)},
		{"max reversed", string(distinctRunes(maxRatioLen, false)), string(distinctRunes(maxRatioLen, true))},
	} {
		ra, rb := []rune(bc.a), []rune(bc.b)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				similarityRatio(ra, rb)
			}
		})
	}
}

func distinctRunes(n int, reversed bool) []rune {
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = rune(0x4e00 + i)
		if reversed {
			rs[i] = rune(0x4e00 + n - 1 - i)
		}
	}
	return rs
}
