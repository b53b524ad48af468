// Package csrf makes and checks Gatehouse's stateless CSRF tokens and the
// signed random cookies they are bound to, and decides whether a request's
// Origin (or Sec-Fetch-Site) is this site. It stores nothing: a token is an
// HMAC under the secret key of what it is bound to, so every instance that
// shares the key accepts the tokens of the others, and an anonymous visit
// writes nothing to any store.
//
// A token is bound either to a signed-in session (its user, its start and
// a random secret kept in the session) or, before sign-in, to a random id
// the browser holds in a signed cookie (the "signed double submit" of
// OWASP's cheat sheet): a token copied from another browser does not match
// this browser's cookie, so a forged sign-in form (login CSRF) is refused.
//
// Each rendered token is masked with fresh random bytes, so no two pages
// carry the same string (no BREACH-style guessing through compression),
// yet all of them check against the same binding.
package csrf

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"
	"sync"
)

const (
	macLen = sha256.Size
	// idLen is the length of the random part of a signed cookie.
	idLen = 32
	// cookieMacLen is how much of the cookie's MAC is kept: 128 bits.
	cookieMacLen = 16
)

var b64 = base64.RawURLEncoding

// TokenLen is the length of a token as rendered.
var TokenLen = b64.EncodedLen(2 * macLen)

// IDLen is the length of the id a signed cookie carries.
var IDLen = b64.EncodedLen(idLen)

// Signer makes and checks tokens and signed cookies under one secret key.
// Make one and keep it: it holds keyed HMAC states for reuse, so a token
// costs one HMAC of its binding, not the key's setup too. Safe for
// concurrent use.
type Signer struct {
	tokenMACs  macPool
	cookieMACs macPool
}

// New derives the signer's keys from the application's secret key, so
// neither key is the secret key itself nor used for anything else.
func New(secret string) *Signer {
	return &Signer{
		tokenMACs:  newMACPool(derive(secret, "gatehouse csrf token v1")),
		cookieMACs: newMACPool(derive(secret, "gatehouse signed cookie v1")),
	}
}

// macPool keeps HMAC-SHA256 states keyed with one key, each with scratch
// space; Reset brings a state back to its keyed form without hashing the
// key again.
type macPool struct{ p *sync.Pool }

type keyedMAC struct {
	h        hash.Hash
	msg, sum []byte
}

func newMACPool(key []byte) macPool {
	return macPool{&sync.Pool{New: func() any { return &keyedMAC{h: hmac.New(sha256.New, key)} }}}
}

// sum writes into out the MAC of the parts, concatenated.
func (mp macPool) sum(out *[macLen]byte, parts ...string) {
	m := mp.p.Get().(*keyedMAC)
	m.msg = m.msg[:0]
	for _, part := range parts {
		m.msg = append(m.msg, part...)
	}
	m.h.Reset()
	m.h.Write(m.msg)
	m.sum = m.h.Sum(m.sum[:0])
	copy(out[:], m.sum)
	mp.p.Put(m)
}

func derive(secret, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// SessionBinding is what a signed-in session's tokens are bound to: the
// user, the moment the session was signed in (so a new sign-in means new
// tokens) and the session's own random secret.
func SessionBinding(userID, signedInUnix int64, secret string) string {
	return "session\x00" + strconv.FormatInt(userID, 10) + "\x00" + strconv.FormatInt(signedInUnix, 10) + "\x00" + secret
}

// BrowserBinding is what an anonymous browser's tokens are bound to: the
// id of its signed cookie.
func BrowserBinding(id string) string { return "browser\x00" + id }

func (s *Signer) mac(out *[macLen]byte, binding string) {
	s.tokenMACs.sum(out, binding)
}

// Token makes a token for binding, masked with fresh random bytes.
func (s *Signer) Token(binding string) string {
	var sum [macLen]byte
	s.mac(&sum, binding)
	var out [2 * macLen]byte
	_, _ = rand.Read(out[:macLen])
	for i := range macLen {
		out[macLen+i] = sum[i] ^ out[i]
	}
	return b64.EncodeToString(out[:])
}

// Valid reports whether token was made by Token for binding under the
// same key. Anything of the wrong length or alphabet is simply invalid.
func (s *Signer) Valid(token, binding string) bool {
	if len(token) != TokenLen {
		return false
	}
	buf, err := b64.Strict().DecodeString(token)
	if err != nil || len(buf) != 2*macLen {
		return false
	}
	var got, want [macLen]byte
	for i := range macLen {
		got[i] = buf[i] ^ buf[macLen+i]
	}
	s.mac(&want, binding)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// NewCookie makes a random id and the cookie value that carries it signed
// for purpose ("browser" for the CSRF cookie).
func (s *Signer) NewCookie(purpose string) (id, value string) {
	var b [idLen]byte
	_, _ = rand.Read(b[:])
	id = b64.EncodeToString(b[:])
	return id, s.SignCookie(purpose, id)
}

// SignCookie is the cookie value that carries id signed for purpose.
func (s *Signer) SignCookie(purpose, id string) string {
	return id + "." + s.cookieMAC(purpose, id)
}

// OpenCookie checks a cookie value made by NewCookie for purpose and
// returns its id. Values of another form, another purpose or another key
// are refused before anything else looks at them.
func (s *Signer) OpenCookie(purpose, value string) (id string, ok bool) {
	id, sig, found := strings.Cut(value, ".")
	if !found || !WellFormedID(id) || len(sig) != b64.EncodedLen(cookieMacLen) {
		return "", false
	}
	if !hmac.Equal([]byte(sig), []byte(s.cookieMAC(purpose, id))) {
		return "", false
	}
	return id, true
}

func (s *Signer) cookieMAC(purpose, id string) string {
	var sum [macLen]byte
	s.cookieMACs.sum(&sum, purpose, "\x00", id)
	return b64.EncodeToString(sum[:cookieMacLen])
}

// WellFormedID reports whether id has the form of an id NewCookie makes:
// exactly IDLen characters of the URL-safe base64 alphabet.
func WellFormedID(id string) bool {
	if len(id) != IDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	// The last character carries 4 padding bits that must be zero, so
	// one id has one spelling.
	_, err := b64.Strict().DecodeString(id)
	return err == nil
}
