package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Keyed tokens: the stored form of a mailed link's verifier is an HMAC
// under the site's secret key rather than a bare hash, so rotating the key
// invalidates every outstanding link (a leaked table is useless without the
// key as well). The binding string ties a token to what it may be used
// for: its kind, its user, and whatever must not change while it lives
// (for a reset link, the time the password last changed, so a password
// change kills it whoever made the change).

// keyedMAC returns HMAC-SHA256(secret, purpose || 0 || value).
func keyedMAC(secret, purpose, value string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// NewKeyedSplitToken is NewSplitToken with the verifier stored as
// KeyedVerifierHash(secret, binding, verifier).
func NewKeyedSplitToken(secret, binding string) (token, selector string, verifierHash []byte) {
	selector = RandomToken(selectorBytes)
	verifier := RandomToken(verifierBytes)
	return selector + "." + verifier, selector, KeyedVerifierHash(secret, binding, verifier)
}

// KeyedVerifierHash returns HMAC-SHA256 of the verifier under secret,
// bound to binding.
func KeyedVerifierHash(secret, binding, verifier string) []byte {
	return keyedMAC(secret, "gatehouse.token\x00"+binding, verifier)
}

// KeyedVerifierMatches reports in constant time whether verifier, under
// secret and binding, produces hash.
func KeyedVerifierMatches(secret, binding, verifier string, hash []byte) bool {
	return hmac.Equal(KeyedVerifierHash(secret, binding, verifier), hash)
}

// Handle returns a short opaque name for a secret value (22 characters of
// base64url, 128 bits of HMAC), to put in a page instead of the value
// itself, e.g. a session id: the server matches handles against the values
// it knows, and a handle cannot be turned back into the value.
func Handle(secret, purpose, value string) string {
	return base64.RawURLEncoding.EncodeToString(keyedMAC(secret, "gatehouse.handle\x00"+purpose, value)[:16])
}

// Sign returns value with an expiry time and an HMAC, for a value a page
// hands to the browser and must get back unchanged (value must not contain
// '.'). purpose keeps a value signed for one use from being accepted for
// another.
func Sign(secret, purpose, value string, expires time.Time) string {
	body := value + "." + strconv.FormatInt(expires.Unix(), 36)
	mac := keyedMAC(secret, "gatehouse.signed\x00"+purpose, body)
	return body + "." + base64.RawURLEncoding.EncodeToString(mac)
}

// Unsign checks a value made by Sign and returns the value if the MAC
// matches and it has not expired at now.
func Unsign(secret, purpose, signed string, now time.Time) (string, bool) {
	if len(signed) > 512 {
		return "", false
	}
	i := strings.LastIndexByte(signed, '.')
	if i < 0 {
		return "", false
	}
	body, sig := signed[:i], signed[i+1:]
	got, err := tokenBase64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, keyedMAC(secret, "gatehouse.signed\x00"+purpose, body)) {
		return "", false
	}
	value, exp, ok := strings.Cut(body, ".")
	if !ok {
		return "", false
	}
	secs, err := strconv.ParseInt(exp, 36, 64)
	if err != nil || !now.Before(time.Unix(secs, 0)) {
		return "", false
	}
	return value, true
}
