package sessions

import (
	"crypto/rand"
	"encoding/base64"

	"github.com/gatehouse/gatehouse/kv"
)

// Store keys of sessions. Every purpose has its own prefix in the store, and
// a session id from a cookie is used only after it passed WellFormedID, so
// no value a client sends can name another purpose's key (a cookie
// "usess:1" or "rl:login:acct:1" reaches nothing).
const (
	// dataPrefix holds a session's data, under its id (kv.SessionPrefix:
	// the store's one-round-trip read knows it).
	dataPrefix = kv.SessionPrefix
	// indexPrefix holds the set of a user's session ids, under the user id.
	indexPrefix = "usess:"
)

// idBytes is the randomness of a session id; ids are these bytes in
// unpadded base64url, idLen characters.
const idBytes = 32

var idLen = base64.RawURLEncoding.EncodedLen(idBytes)

// newID makes a session id.
func newID() string {
	var b [idBytes]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// WellFormedID reports whether id has the form of the ids newID makes:
// idLen characters of the base64url alphabet that decode to idBytes bytes.
// Anything else is no session, never looked up.
func WellFormedID(id string) bool {
	if len(id) != idLen {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(id)
	return err == nil && len(b) == idBytes
}
