package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// Split-token sizes. 12 bytes of selector make collisions between live
// reset requests negligible; 32 bytes of verifier make guessing hopeless.
const (
	selectorBytes = 12
	verifierBytes = 32
)

// Encoded lengths: unpadded base64 spends one character per 6 bits.
const (
	selectorLen = (selectorBytes*8 + 5) / 6 // 16
	verifierLen = (verifierBytes*8 + 5) / 6 // 43
)

// tokenBase64 rejects non-zero trailing bits so each token has one
// spelling.
var tokenBase64 = base64.RawURLEncoding.Strict()

// RandomToken returns n bytes from crypto/rand, base64url-encoded without
// padding, safe in URLs and cookies. It panics if n < 1, which can only be
// a programming error and must not silently yield an empty token.
func RandomToken(n int) string {
	if n < 1 {
		panic("auth: RandomToken: n must be positive")
	}
	b := make([]byte, n)
	rand.Read(b) // never returns an error since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewSplitToken returns a token "<selector>.<verifier>" for a link sent by
// mail, with the selector and the SHA-256 of the verifier to store. The
// selector finds the row without a timing-sensitive comparison; only the
// verifier's hash is stored, so a leaked database does not yield usable
// links. SHA-256 suffices because the verifier has 256 random bits.
func NewSplitToken() (token, selector string, verifierHash []byte) {
	selector = RandomToken(selectorBytes)
	verifier := RandomToken(verifierBytes)
	return selector + "." + verifier, selector, HashVerifier(verifier)
}

// ParseSplitToken splits a token made by NewSplitToken. ok is false unless
// both halves have exactly the expected length and canonical base64url.
func ParseSplitToken(token string) (selector, verifier string, ok bool) {
	selector, verifier, found := strings.Cut(token, ".")
	if !found || len(selector) != selectorLen || len(verifier) != verifierLen {
		return "", "", false
	}
	if !canonicalBase64URL(selector, selectorBytes) || !canonicalBase64URL(verifier, verifierBytes) {
		return "", "", false
	}
	return selector, verifier, true
}

func canonicalBase64URL(s string, n int) bool {
	var buf [verifierBytes]byte
	if tokenBase64.DecodedLen(len(s)) > len(buf) {
		return false
	}
	m, err := tokenBase64.Decode(buf[:], []byte(s))
	return err == nil && m == n
}

// HashVerifier returns the SHA-256 of verifier, the form that is stored.
func HashVerifier(verifier string) []byte {
	sum := sha256.Sum256([]byte(verifier))
	return sum[:]
}

// VerifierMatches reports in constant time whether verifier hashes to hash.
func VerifierMatches(verifier string, hash []byte) bool {
	return subtle.ConstantTimeCompare(HashVerifier(verifier), hash) == 1
}
