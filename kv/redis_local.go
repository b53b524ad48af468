package kv

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// A principal read through the session script is kept by this instance
// for a short while with the versions it was tagged with, so the next
// reads of the same session need no script: one MGET of the session and
// those versions, which Redis answers for a fraction of the script's cost.
// Every read still asks Redis, so a sign-out, a deactivation or a group's
// change elsewhere is seen on the next request as before: a session gone
// is gone, and a version that moved sends the read back to the script.

const (
	// localTTL bounds how long a kept principal is used without the
	// script reading it again: with PrincipalTTL it bounds how long a
	// change whose invalidation failed can go unseen.
	localTTL = 30 * time.Second
	// maxLocal bounds the memory kept: about half a kilobyte a session.
	maxLocal = 16384
)

// localEntry is one session's kept principal.
type localEntry struct {
	uid     int64
	payload []byte
	// keys are what a read asks for: the session's key, then the user
	// version's and the group epochs' keys (prefixed); want the values
	// the principal was tagged with ("" for none), from keys[1] on.
	keys  []string
	want  []string
	until time.Time
}

type localPrincipals struct {
	mu sync.RWMutex
	m  map[string]*localEntry // by session id, after the store found it
}

func (l *localPrincipals) get(id string, now time.Time) *localEntry {
	l.mu.RLock()
	e := l.m[id]
	l.mu.RUnlock()
	if e == nil || now.After(e.until) {
		return nil
	}
	return e
}

func (l *localPrincipals) put(id string, e *localEntry) {
	l.mu.Lock()
	if l.m == nil || len(l.m) >= maxLocal {
		l.m = make(map[string]*localEntry, 256)
	}
	l.m[id] = e
	l.mu.Unlock()
}

func (l *localPrincipals) drop(id string) {
	l.mu.Lock()
	delete(l.m, id)
	l.mu.Unlock()
}

// keep remembers the principal the script read for session id. The id is
// copied: a caller's string may live in a buffer the next request reuses
// (Fiber's cookie values do), which would rename the entry under our feet.
func (r *Redis) keep(id string, uid int64, tag Tag, payload []byte) {
	id = strings.Clone(id)
	e := &localEntry{uid: uid, payload: payload, until: time.Now().Add(localTTL),
		keys: make([]string, 0, 2+len(tag.Groups)), want: make([]string, 0, 1+len(tag.Groups))}
	e.keys = append(e.keys, r.k(SessionPrefix+id), r.k(UserVersionPrefix+strconv.FormatInt(uid, 10)))
	e.want = append(e.want, tag.User)
	for g, ep := range tag.Groups {
		e.keys = append(e.keys, r.k(GroupEpochPrefix+g))
		e.want = append(e.want, ep)
	}
	r.local.put(id, e)
}
