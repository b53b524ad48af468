package kv

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
)

// Keys of sessions and of the principal cache. A session id reaches the
// store only after sessions.WellFormedID; user and group ids are numbers
// the server read from its own database, never client text.
const (
	// SessionPrefix holds a session's data, under its id.
	SessionPrefix = "sess:"
	// PrincipalPrefix holds a user's cached principal, under the user id,
	// tagged with the versions below as they were before it was read.
	PrincipalPrefix = "princ:"
	// UserVersionPrefix holds a random token replaced whenever the user or
	// their memberships change (absent reads as "").
	UserVersionPrefix = "uver:"
	// GroupEpochPrefix holds a random token replaced whenever a group's
	// permissions or name change or it is deleted.
	GroupEpochPrefix = "gep:"
	// PrincipalGroupsPrefix (the SQL store only) lists the group ids a
	// user's cached principal depends on, so the session read can join
	// their epochs.
	PrincipalGroupsPrefix = "pgrp:"
)

// Tag is the versions a cached principal was read under: the user's
// version and the epoch of each group it was built from ("" for a version
// never set). It is read before the database is, so a change committed
// meanwhile leaves the entry stale, never wrongly fresh.
type Tag struct {
	User   string            `json:"v"`
	Groups map[string]string `json:"g"`
}

// SessionRead is one session with its user's cached principal.
type SessionRead struct {
	// Data is the session's data; nil when there is no such session.
	Data []byte
	// UserID is the session's user (0: none).
	UserID int64
	// Principal is the cached principal's payload; nil when none is cached
	// or a version it was tagged with has changed since.
	Principal []byte
}

// Sessions is what sessions need of a store beyond Store: a session and
// its user's principal in one round trip, and the versions that keep the
// cached principal true.
type Sessions interface {
	// ReadSession reads the session id and its user's valid principal.
	ReadSession(ctx context.Context, id string) (SessionRead, error)
	// WriteSession stores a session of uid for ttl.
	WriteSession(ctx context.Context, id string, uid int64, data []byte, ttl time.Duration) error
	// Versions reads the current tag of uid with the given groups.
	Versions(ctx context.Context, uid int64, groups []int64) (Tag, error)
	// FillPrincipal caches payload as uid's principal for ttl unless a
	// version in tag changed since it was read (false: not written).
	FillPrincipal(ctx context.Context, uid int64, tag Tag, payload []byte, ttl time.Duration) (bool, error)
	// Bump gives the users and groups new versions, kept for ttl (longer
	// than any cached principal lives, so an expired version can never be
	// mistaken for the one an entry was tagged with).
	Bump(ctx context.Context, users, groups []int64, ttl time.Duration) error
}

// entry is how a cached principal is stored: its tag and its payload.
type entry struct {
	Tag
	D json.RawMessage `json:"d"`
}

// EncodeEntry wraps payload (JSON) with its tag.
func EncodeEntry(tag Tag, payload []byte) ([]byte, error) {
	if tag.Groups == nil {
		// An empty object, not null: the Redis script walks it.
		tag.Groups = map[string]string{}
	}
	return json.Marshal(entry{Tag: tag, D: payload})
}

// DecodeEntry unwraps a stored principal.
func DecodeEntry(b []byte) (Tag, []byte, error) {
	var e entry
	if err := json.Unmarshal(b, &e); err != nil {
		return Tag{}, nil, err
	}
	return e.Tag, e.D, nil
}

// NewVersion is a fresh, never-repeating version token.
func NewVersion() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// GroupKey is the decimal form of a group id, as tags and keys hold it.
func GroupKey(id int64) string { return strconv.FormatInt(id, 10) }
