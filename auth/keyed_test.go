package auth

import (
	"strings"
	"testing"
	"time"
)

func TestKeyedSplitToken(t *testing.T) {
	t.Parallel()
	const key = "secret-key-one-0123456789abcdefghij"
	tok, sel, hash := NewKeyedSplitToken(key, "password_reset|7|1700000000")
	s, v, ok := ParseSplitToken(tok)
	if !ok || s != sel {
		t.Fatalf("token %q does not parse back to its selector", tok)
	}
	if !KeyedVerifierMatches(key, "password_reset|7|1700000000", v, hash) {
		t.Fatal("verifier does not match its own hash")
	}
	for name, tc := range map[string]struct{ key, binding, verifier string }{
		"rotated key":      {"secret-key-two-0123456789abcdefghij", "password_reset|7|1700000000", v},
		"password changed": {key, "password_reset|7|1700000001", v},
		"other user":       {key, "password_reset|8|1700000000", v},
		"other kind":       {key, "verify_email|7|1700000000", v},
		"other verifier":   {key, "password_reset|7|1700000000", RandomToken(verifierBytes)},
	} {
		if KeyedVerifierMatches(tc.key, tc.binding, tc.verifier, hash) {
			t.Errorf("%s: still matches", name)
		}
	}
	if KeyedVerifierMatches(key, "password_reset|7|1700000000", v, HashVerifier(v)) {
		t.Error("an unkeyed hash matches the keyed check")
	}
}

func TestHandle(t *testing.T) {
	t.Parallel()
	const key = "secret-key-one-0123456789abcdefghij"
	h := Handle(key, "session", "abc")
	if len(h) != 22 || strings.Contains(h, "abc") {
		t.Fatalf("handle %q", h)
	}
	if h != Handle(key, "session", "abc") {
		t.Fatal("handle is not stable")
	}
	if h == Handle(key, "session", "abd") || h == Handle(key, "other", "abc") || h == Handle(key+"x", "session", "abc") {
		t.Fatal("handle does not depend on value, purpose and key")
	}
}

func TestSignUnsign(t *testing.T) {
	t.Parallel()
	const key = "secret-key-one-0123456789abcdefghij"
	now := time.Unix(1_800_000_000, 0)
	s := Sign(key, "resend", "42", now.Add(time.Hour))
	if v, ok := Unsign(key, "resend", s, now); !ok || v != "42" {
		t.Fatalf("Unsign(%q) = %q, %v", s, v, ok)
	}
	if _, ok := Unsign(key, "resend", s, now.Add(time.Hour)); ok {
		t.Error("accepted at its expiry")
	}
	if _, ok := Unsign(key, "other", s, now); ok {
		t.Error("accepted for another purpose")
	}
	if _, ok := Unsign("another-key-0123456789abcdefghijklmn", "resend", s, now); ok {
		t.Error("accepted under another key")
	}
	forged := strings.Replace(s, "42.", "43.", 1)
	if _, ok := Unsign(key, "resend", forged, now); ok {
		t.Error("accepted a changed value")
	}
	for _, bad := range []string{"", ".", "..", "42", "42.x.y", s + "x", strings.Repeat("a", 600)} {
		if _, ok := Unsign(key, "resend", bad, now); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}
