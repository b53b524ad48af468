package kv

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

var _ Sessions = (*Redis)(nil)

// A session is stored as "<uid>|<data>", so the read script finds the user
// without decoding the data.

// readSessionScript reads a session and, when its user's cached principal
// still carries the current group epochs, that principal: one round trip
// (EVALSHA) for a signed-in request. The user's version needs no check
// here: Bump deletes the principal in the transaction that changes it, and
// a fill made under the old version is refused by FillPrincipal. It names
// keys it derives from the session, so it needs a single Redis, not a
// cluster.
var readSessionScript = redis.NewScript(`
local s = redis.call('GET', KEYS[1])
if not s then return false end
local bar = string.find(s, '|', 1, true)
if not bar then return {s, ''} end
local uid = string.sub(s, 1, bar - 1)
local e = redis.call('GET', ARGV[1] .. 'princ:' .. uid)
if not e then return {s, ''} end
local n1 = string.find(e, '\n', 1, true)
local n2 = n1 and string.find(e, '\n', n1 + 1, true)
if not n2 then return {s, ''} end
for gid, ep in string.gmatch(string.sub(e, n1 + 1, n2 - 1), '(%d+):([^ ]*)') do
	if (redis.call('GET', ARGV[1] .. 'gep:' .. gid) or '') ~= ep then return {s, ''} end
end
return {s, e}`)

func (r *Redis) ReadSession(ctx context.Context, id string) (SessionRead, error) {
	// The entry must name this very session: keep copies the id, so this
	// only guards against a mistake ever serving another session's data
	// (its MGET key was built from the id the script read).
	if e := r.local.get(id, time.Now()); e != nil && r.namesSession(e.keys[0], id) {
		out, ok, err := r.readKept(ctx, id, e)
		if err != nil || ok {
			return out, err
		}
	}
	res, err := r.reads.read(ctx, r.k(SessionPrefix+id))
	if errors.Is(err, redis.Nil) {
		return SessionRead{}, nil
	}
	if err != nil {
		return SessionRead{}, fmt.Errorf("redis read session: %w", err)
	}
	if len(res) != 2 {
		return SessionRead{}, fmt.Errorf("redis read session: %d values", len(res))
	}
	out, ok := parseSession(res[0])
	if !ok || res[1] == "" {
		return out, nil
	}
	// The script checked the entry's group epochs; its user version is
	// current because a bump deletes the entry.
	tag, payload, err := DecodeEntry([]byte(res[1]))
	if err != nil {
		return out, nil
	}
	out.Principal = payload
	r.keep(id, out.UserID, tag, payload)
	return out, nil
}

// namesSession reports whether key is session id's key, without building it.
func (r *Redis) namesSession(key, id string) bool {
	return len(key) == len(r.prefix)+len(SessionPrefix)+len(id) && strings.HasSuffix(key, id) &&
		strings.HasPrefix(key[len(r.prefix):], SessionPrefix)
}

// readKept reads session id with the versions of the principal this
// instance keeps for it. ok is false when the script must read it (a
// version moved, or the session now names another user).
func (r *Redis) readKept(ctx context.Context, id string, e *localEntry) (out SessionRead, ok bool, err error) {
	rep := r.reads.mget(ctx, e.keys)
	if rep.err != nil {
		return SessionRead{}, false, fmt.Errorf("redis read session: %w", rep.err)
	}
	if len(rep.vals) != len(e.keys) {
		return SessionRead{}, false, fmt.Errorf("redis read session: %d values", len(rep.vals))
	}
	if rep.absent[0] {
		r.local.drop(id)
		return SessionRead{}, true, nil
	}
	out, good := parseSession(rep.vals[0])
	if !good || out.UserID != e.uid {
		r.local.drop(id)
		return SessionRead{}, false, nil
	}
	for i, want := range e.want {
		if rep.vals[i+1] != want {
			r.local.drop(id)
			return SessionRead{}, false, nil
		}
	}
	out.Principal = e.payload
	return out, true, nil
}

// parseSession splits a stored "<uid>|<data>"; false for anything else
// (not a session this version wrote: none).
func parseSession(v string) (SessionRead, bool) {
	uidText, data, ok := strings.Cut(v, "|")
	if !ok {
		return SessionRead{}, false
	}
	uid, err := strconv.ParseInt(uidText, 10, 64)
	if err != nil {
		return SessionRead{}, false
	}
	return SessionRead{Data: []byte(data), UserID: uid}, true
}

func (r *Redis) WriteSession(ctx context.Context, id string, uid int64, data []byte, ttl time.Duration) error {
	v := strconv.FormatInt(uid, 10) + "|" + string(data)
	if err := r.client.Set(ctx, r.k(SessionPrefix+id), v, ttl).Err(); err != nil {
		return fmt.Errorf("redis write session: %w", err)
	}
	return nil
}

func (r *Redis) Versions(ctx context.Context, uid int64, groups []int64) (Tag, error) {
	keys := make([]string, 0, 1+len(groups))
	keys = append(keys, r.k(UserVersionPrefix+strconv.FormatInt(uid, 10)))
	for _, g := range groups {
		keys = append(keys, r.k(GroupEpochPrefix+GroupKey(g)))
	}
	vals, err := r.client.MGet(ctx, keys...).Result()
	if err != nil {
		return Tag{}, fmt.Errorf("redis versions: %w", err)
	}
	str := func(v any) string { s, _ := v.(string); return s }
	t := Tag{User: str(vals[0]), Groups: make(map[string]string, len(groups))}
	for i, g := range groups {
		t.Groups[GroupKey(g)] = str(vals[i+1])
	}
	return t, nil
}

// fillScript writes a principal only while every version it was tagged
// with is still current: a fill that raced a change never overwrites it.
var fillScript = redis.NewScript(`
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
for i = 3, #KEYS do
	if (redis.call('GET', KEYS[i]) or '') ~= ARGV[i - 1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[#ARGV - 1], 'PX', ARGV[#ARGV])
return 1`)

func (r *Redis) FillPrincipal(ctx context.Context, uid int64, tag Tag, payload []byte, ttl time.Duration) (bool, error) {
	val := EncodeEntry(tag, payload)
	u := strconv.FormatInt(uid, 10)
	keys := []string{r.k(PrincipalPrefix + u), r.k(UserVersionPrefix + u)}
	args := []any{tag.User}
	for g, ep := range tag.Groups {
		keys = append(keys, r.k(GroupEpochPrefix+g))
		args = append(args, ep)
	}
	args = append(args, val, ttl.Milliseconds())
	n, err := fillScript.Run(ctx, r.client, keys, args...).Int()
	if err != nil {
		return false, fmt.Errorf("redis fill principal: %w", err)
	}
	return n == 1, nil
}

func (r *Redis) Bump(ctx context.Context, users, groups []int64, ttl time.Duration) error {
	if len(users)+len(groups) == 0 {
		return nil
	}
	// One transaction: a new version without its principal deleted would
	// leave the old principal readable (the read script trusts a present
	// entry's user version).
	pipe := r.client.TxPipeline()
	for _, u := range users {
		id := strconv.FormatInt(u, 10)
		pipe.Set(ctx, r.k(UserVersionPrefix+id), NewVersion(), ttl)
		pipe.Del(ctx, r.k(PrincipalPrefix+id))
	}
	for _, g := range groups {
		pipe.Set(ctx, r.k(GroupEpochPrefix+GroupKey(g)), NewVersion(), ttl)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("redis bump versions: %w", err)
	}
	return nil
}

// AddHook adds a go-redis hook to the client (tests count round trips).
func (r *Redis) AddHook(h redis.Hook) { r.client.AddHook(h) }
