package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

func TestRandomToken(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3, 16, 32, 64} {
		tok := RandomToken(n)
		if want := base64.RawURLEncoding.EncodedLen(n); len(tok) != want {
			t.Errorf("RandomToken(%d) has length %d, want %d", n, len(tok), want)
		}
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b) != n {
			t.Errorf("RandomToken(%d) = %q does not decode to %d bytes: %v", n, tok, n, err)
		}
	}
	seen := map[string]bool{}
	for range 1000 {
		tok := RandomToken(16)
		if seen[tok] {
			t.Fatalf("RandomToken repeated %q", tok)
		}
		seen[tok] = true
	}
}

func TestRandomTokenPanicsOnNonPositive(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RandomToken(%d) did not panic", n)
				}
			}()
			RandomToken(n)
		}()
	}
}

func TestSplitTokenRoundTrip(t *testing.T) {
	t.Parallel()
	for range 100 {
		token, selector, hash := NewSplitToken()
		if len(selector) != 16 {
			t.Fatalf("selector %q has length %d, want 16", selector, len(selector))
		}
		sel, ver, ok := ParseSplitToken(token)
		if !ok || sel != selector || len(ver) != 43 || token != sel+"."+ver {
			t.Fatalf("ParseSplitToken(%q) = %q, %q, %v", token, sel, ver, ok)
		}
		want := sha256.Sum256([]byte(ver))
		if !bytes.Equal(hash, want[:]) || !bytes.Equal(HashVerifier(ver), hash) {
			t.Fatalf("verifier hash mismatch for %q", token)
		}
		if !VerifierMatches(ver, hash) {
			t.Fatalf("VerifierMatches rejected the verifier of %q", token)
		}
	}
}

func TestParseSplitTokenRejects(t *testing.T) {
	t.Parallel()
	good, _, _ := NewSplitToken()
	sel, ver, _ := strings.Cut(good, ".")
	// A 43-character verifier whose last character carries non-zero
	// padding bits: same bytes as a canonical one, different spelling.
	noncanonical := ver[:42] + string(nextB64(ver[42]))
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"dot only", "."},
		{"no dot", sel + ver},
		{"two dots", sel + "." + ver + "."},
		{"extra part", sel + "." + ver[:20] + "." + ver[21:]},
		{"short selector", sel[:15] + "." + ver},
		{"long selector", sel + "A." + ver},
		{"short verifier", sel + "." + ver[:42]},
		{"long verifier", sel + "." + ver + "A"},
		{"swapped", ver + "." + sel},
		{"padding", sel + "." + ver + "="},
		{"std alphabet plus", strings.Replace(good, good[:1], "+", 1)},
		{"std alphabet slash", sel + "." + "/" + ver[1:]},
		{"space", " " + good[1:]},
		{"trailing newline", good + "\n"},
		{"nul", sel + "." + ver[:42] + "\x00"},
		// encoding/base64 skips line breaks; the length check must catch them.
		{"newline in verifier", sel + "." + ver[:20] + "\n" + ver[21:]},
		{"newline in selector", sel[:8] + "\r" + sel[9:] + "." + ver},
		{"non-ascii", sel + "." + ver[:41] + "é"},
		{"noncanonical verifier", sel + "." + noncanonical},
	}
	for _, tt := range tests {
		if s, v, ok := ParseSplitToken(tt.in); ok || s != "" || v != "" {
			t.Errorf("%s: ParseSplitToken(%q) = %q, %q, %v; want rejection", tt.name, tt.in, s, v, ok)
		}
	}
}

// nextB64 returns the base64url character after c, which differs from c
// only in the low bits.
func nextB64(c byte) byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	if i%4 == 3 {
		return alphabet[i-1]
	}
	return alphabet[i+1]
}

func TestVerifierMatches(t *testing.T) {
	t.Parallel()
	h := HashVerifier("abc")
	tests := []struct {
		verifier string
		hash     []byte
		want     bool
	}{
		{"abc", h, true},
		{"abd", h, false},
		{"", h, false},
		{"abc", nil, false},
		{"abc", h[:31], false},
		{"abc", append(append([]byte{}, h...), 0), false},
	}
	for _, tt := range tests {
		if got := VerifierMatches(tt.verifier, tt.hash); got != tt.want {
			t.Errorf("VerifierMatches(%q, %x) = %v, want %v", tt.verifier, tt.hash, got, tt.want)
		}
	}
}

func FuzzParseSplitToken(f *testing.F) {
	good, _, _ := NewSplitToken()
	f.Add(good)
	f.Add("")
	f.Add(".")
	f.Add("AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")
	f.Add(strings.Repeat("A", 200))
	f.Fuzz(func(t *testing.T, token string) {
		sel, ver, ok := ParseSplitToken(token)
		if !ok {
			if sel != "" || ver != "" {
				t.Fatalf("rejected %q but returned %q, %q", token, sel, ver)
			}
			return
		}
		if sel+"."+ver != token || len(sel) != 16 || len(ver) != 43 {
			t.Fatalf("ParseSplitToken(%q) = %q, %q", token, sel, ver)
		}
		s, err1 := base64.RawURLEncoding.DecodeString(sel)
		v, err2 := base64.RawURLEncoding.DecodeString(ver)
		if err1 != nil || err2 != nil || len(s) != 12 || len(v) != 32 {
			t.Fatalf("accepted %q that does not decode to 12+32 bytes", token)
		}
		if base64.RawURLEncoding.EncodeToString(s) != sel || base64.RawURLEncoding.EncodeToString(v) != ver {
			t.Fatalf("accepted non-canonical %q", token)
		}
	})
}

func BenchmarkNewSplitToken(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NewSplitToken()
	}
}

func BenchmarkParseSplitToken(b *testing.B) {
	good, _, _ := NewSplitToken()
	b.ReportAllocs()
	for b.Loop() {
		ParseSplitToken(good)
	}
}

func BenchmarkVerifierMatches(b *testing.B) {
	_, ver, _ := ParseSplitToken(func() string { t, _, _ := NewSplitToken(); return t }())
	h := HashVerifier(ver)
	b.ReportAllocs()
	for b.Loop() {
		VerifierMatches(ver, h)
	}
}

func TestSplitTokenLengths(t *testing.T) {
	t.Parallel()
	if selectorLen != base64.RawURLEncoding.EncodedLen(selectorBytes) || verifierLen != base64.RawURLEncoding.EncodedLen(verifierBytes) {
		t.Fatalf("selectorLen, verifierLen = %d, %d disagree with encoding/base64", selectorLen, verifierLen)
	}
}
