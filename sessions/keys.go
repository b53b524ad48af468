package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/extractors"

	"github.com/gatehouse/gatehouse/kv"
)

// Store keys of sessions. Every purpose has its own prefix in the store, and
// a session id from a cookie is used only after it passed WellFormedID, so
// no value a client sends can name another purpose's key (a cookie
// "usess:1" or "rl:login:acct:1" reaches nothing).
const (
	// dataPrefix holds a session's data, under its id.
	dataPrefix = "sess:"
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

// cookieID reads the session cookie, keeping only a well-formed id.
func cookieID() extractors.Extractor {
	e := extractors.FromCookie(Cookie)
	e.Extract = func(c fiber.Ctx) (string, error) {
		id := c.Cookies(Cookie)
		if !WellFormedID(id) {
			return "", extractors.ErrNotFound
		}
		return id, nil
	}
	return e
}

// dataStorage is the store as Fiber's session middleware sees it: every key
// it names (a session id) lives under dataPrefix.
type dataStorage struct{ kv kv.Store }

var _ fiber.Storage = dataStorage{}

// errNoReset: the session middleware never empties the whole store.
var errNoReset = errors.New("sessions: resetting the session store is not supported")

func (s dataStorage) GetWithContext(ctx context.Context, id string) ([]byte, error) {
	if !WellFormedID(id) {
		return nil, nil
	}
	return s.kv.GetWithContext(ctx, dataPrefix+id)
}

func (s dataStorage) Get(id string) ([]byte, error) {
	return s.GetWithContext(context.Background(), id)
}

func (s dataStorage) SetWithContext(ctx context.Context, id string, val []byte, exp time.Duration) error {
	if !WellFormedID(id) {
		return errors.New("sessions: refusing to store a malformed session id")
	}
	return s.kv.SetWithContext(ctx, dataPrefix+id, val, exp)
}

func (s dataStorage) Set(id string, val []byte, exp time.Duration) error {
	return s.SetWithContext(context.Background(), id, val, exp)
}

func (s dataStorage) DeleteWithContext(ctx context.Context, id string) error {
	if !WellFormedID(id) {
		return nil
	}
	return s.kv.DeleteWithContext(ctx, dataPrefix+id)
}

func (s dataStorage) Delete(id string) error { return s.DeleteWithContext(context.Background(), id) }

func (s dataStorage) ResetWithContext(context.Context) error { return errNoReset }
func (s dataStorage) Reset() error                           { return errNoReset }

// Close leaves the store open: it is shared, and closed by its owner.
func (s dataStorage) Close() error { return nil }
