package csrf

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestTokenIsBoundToItsBindingAndKey(t *testing.T) {
	t.Parallel()
	s := New("secret-one")
	b := BrowserBinding("abc")
	tok := s.Token(b)
	if len(tok) != TokenLen || !s.Valid(tok, b) {
		t.Fatalf("own token %q refused", tok)
	}
	if tok2 := s.Token(b); tok2 == tok || !s.Valid(tok2, b) {
		t.Fatal("tokens are not masked afresh, or a masked one is refused")
	}
	if s.Valid(tok, BrowserBinding("abd")) {
		t.Error("a token of another browser passed")
	}
	if s.Valid(tok, SessionBinding(1, 2, "abc")) {
		t.Error("a browser token passed for a session")
	}
	if New("secret-two").Valid(tok, b) {
		t.Error("a token under another key passed")
	}
	if !New("secret-one").Valid(tok, b) {
		t.Error("another signer with the same key (another instance) refused it")
	}
	// Every single-character change is refused.
	for i := range tok {
		c := byte('A')
		if tok[i] == 'A' {
			c = 'B'
		}
		bad := tok[:i] + string(c) + tok[i+1:]
		if s.Valid(bad, b) {
			t.Fatalf("tampered token (position %d) passed", i)
		}
	}
	for _, bad := range []string{"", "forged", tok + "A", tok[:len(tok)-1], strings.Repeat("=", TokenLen), strings.Repeat("A", TokenLen)} {
		if s.Valid(bad, b) {
			t.Errorf("%q passed", bad)
		}
	}
}

func TestSessionBindingsDiffer(t *testing.T) {
	t.Parallel()
	s := New("k")
	tok := s.Token(SessionBinding(7, 100, "x"))
	for _, b := range []string{SessionBinding(8, 100, "x"), SessionBinding(7, 101, "x"), SessionBinding(7, 100, "y")} {
		if s.Valid(tok, b) {
			t.Errorf("token valid for %q", b)
		}
	}
}

func TestSignedCookies(t *testing.T) {
	t.Parallel()
	s := New("k")
	id, v := s.NewCookie("browser")
	if got, ok := s.OpenCookie("browser", v); !ok || got != id || !WellFormedID(id) {
		t.Fatalf("own cookie %q: %q %v", v, got, ok)
	}
	if _, ok := s.OpenCookie("reset", v); ok {
		t.Error("a browser cookie opened as a reset cookie")
	}
	if _, ok := New("other").OpenCookie("browser", v); ok {
		t.Error("a cookie of another key opened")
	}
	id2, _ := s.NewCookie("browser")
	if id2 == id {
		t.Error("two cookies with one id")
	}
	for _, bad := range []string{"", "rl:login:acct:1", "usess:1", id, id + ".", "." + v, v + "x", strings.ToUpper(v),
		strings.Repeat("A", IDLen) + v[IDLen:], "x" + v[1:]} {
		if _, ok := s.OpenCookie("browser", bad); ok {
			t.Errorf("%q opened", bad)
		}
	}
}

func TestWellFormedID(t *testing.T) {
	t.Parallel()
	id, _ := New("k").NewCookie("p")
	if !WellFormedID(id) {
		t.Fatal(id)
	}
	for _, bad := range []string{"", "a", id[:IDLen-1], id + "A", strings.Repeat("A", IDLen-1) + "B", strings.Repeat(":", IDLen), strings.Repeat("A", IDLen-1) + "="} {
		if WellFormedID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCheckOrigin(t *testing.T) {
	t.Parallel()
	site := []string{"https://gate.example", "http://10.0.0.5:8080"}
	for _, tt := range []struct {
		origin, fetch string
		want          Verdict
	}{
		{"https://gate.example", "", SameOrigin},
		{"HTTPS://Gate.Example:443", "", SameOrigin},
		{"http://10.0.0.5:8080", "cross-site", SameOrigin}, // Origin wins
		{"http://gate.example", "", CrossOrigin},
		{"https://gate.example:8443", "", CrossOrigin},
		{"https://evil.example", "same-origin", CrossOrigin},
		{"https://gate.example.evil.example", "", CrossOrigin},
		{"null", "", CrossOrigin},
		{"garbage", "", CrossOrigin},
		{"https://user@gate.example", "", CrossOrigin},
		{"", "same-origin", SameOrigin},
		{"", "none", SameOrigin},
		{"", "same-site", CrossOrigin},
		{"", "cross-site", CrossOrigin},
		{"", "", Unsaid},
	} {
		if got := CheckOrigin(tt.origin, tt.fetch, site...); got != tt.want {
			t.Errorf("Origin %q, Sec-Fetch-Site %q: %v, want %v", tt.origin, tt.fetch, got, tt.want)
		}
	}
	if CheckOrigin("https://gate.example", "", "") != CrossOrigin {
		t.Error("an empty allowed origin matched")
	}
}

func TestOriginOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[[2]string]string{
		{"https", "gate.example"}:     "https://gate.example",
		{"https", "gate.example:443"}: "https://gate.example",
		{"http", "127.0.0.1:8080"}:    "http://127.0.0.1:8080",
		{"http", "[::1]:80"}:          "http://[::1]",
		{"http", ""}:                  "",
		{"http", "a/b"}:               "",
		{"http", "evil@gate.example"}: "",
		{"ftp", "gate.example"}:       "",
	} {
		if got := OriginOf(in[0], in[1]); got != want {
			t.Errorf("OriginOf(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

// A signer is kept for the life of the server and reuses its keyed HMAC
// states: after any number of uses, from many goroutines, with bindings of
// any length, it makes exactly the MACs a fresh HMAC under the derived key
// makes, so no state of one request leaks into the next.
func TestSignerReuseMatchesFreshHMAC(t *testing.T) {
	t.Parallel()
	s := New("secret-one")
	key := func(purpose string) []byte {
		m := hmac.New(sha256.New, []byte("secret-one"))
		m.Write([]byte(purpose))
		return m.Sum(nil)
	}
	tokenKey, cookieKey := key("gatehouse csrf token v1"), key("gatehouse signed cookie v1")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				b := BrowserBinding(strings.Repeat("x", (g*200+i)%300))
				tok := s.Token(b)
				raw, err := base64.RawURLEncoding.DecodeString(tok)
				if err != nil {
					t.Error(err)
					return
				}
				m := hmac.New(sha256.New, tokenKey)
				m.Write([]byte(b))
				want := m.Sum(nil)
				for j := range macLen {
					if raw[j]^raw[macLen+j] != want[j] {
						t.Errorf("token for a binding of %d bytes: wrong MAC", len(b))
						return
					}
				}
				id := strconv.Itoa(g*1000 + i)
				c := hmac.New(sha256.New, cookieKey)
				c.Write([]byte("browser\x00" + id))
				if got, want := s.SignCookie("browser", id), id+"."+b64.EncodeToString(c.Sum(nil)[:cookieMacLen]); got != want {
					t.Errorf("cookie %q, want %q", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkToken(b *testing.B) {
	s := New("secret-one")
	binding := SessionBinding(12345, 1700000000, "abcdefghijklmnopqrstuvwxyz012345")
	b.ReportAllocs()
	for b.Loop() {
		if !s.Valid(s.Token(binding), binding) {
			b.Fatal("refused")
		}
	}
}

func BenchmarkNewCookie(b *testing.B) {
	s := New("secret-one")
	b.ReportAllocs()
	for b.Loop() {
		s.NewCookie("browser")
	}
}
