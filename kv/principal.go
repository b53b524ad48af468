package kv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sort"
	"strconv"
	"strings"
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
	User   string
	Groups map[string]string // group id (decimal) → epoch
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

// A cached principal is stored as three lines: the user version, the
// groups' epochs ("<gid>:<epoch>" separated by spaces), then the payload.
// The Redis script checks the first two with plain string functions and
// returns only the payload; it never decodes JSON.

// EncodeEntry prefixes payload with its tag.
func EncodeEntry(tag Tag, payload []byte) []byte {
	gids := make([]string, 0, len(tag.Groups))
	for g := range tag.Groups {
		gids = append(gids, g)
	}
	sort.Strings(gids)
	b := make([]byte, 0, len(tag.User)+len(payload)+len(gids)*24+2)
	b = append(b, tag.User...)
	b = append(b, '\n')
	for i, g := range gids {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, g...)
		b = append(b, ':')
		b = append(b, tag.Groups[g]...)
	}
	b = append(b, '\n')
	return append(b, payload...)
}

// DecodeEntry splits a stored principal into its tag and payload.
func DecodeEntry(b []byte) (Tag, []byte, error) {
	user, rest, ok1 := bytes.Cut(b, []byte{'\n'})
	groups, payload, ok2 := bytes.Cut(rest, []byte{'\n'})
	if !ok1 || !ok2 {
		return Tag{}, nil, errors.New("kv: malformed principal entry")
	}
	t := Tag{User: string(user), Groups: map[string]string{}}
	for _, f := range strings.Fields(string(groups)) {
		g, ep, ok := strings.Cut(f, ":")
		if !ok {
			return Tag{}, nil, errors.New("kv: malformed principal entry")
		}
		t.Groups[g] = ep
	}
	return t, payload, nil
}

// NewVersion is a fresh, never-repeating version token.
func NewVersion() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// GroupKey is the decimal form of a group id, as tags and keys hold it.
func GroupKey(id int64) string { return strconv.FormatInt(id, 10) }
