package kv_test

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/kv"
)

// cmdLog records the commands a Redis client sends.
type cmdLog struct {
	mu   sync.Mutex
	cmds []string
}

func (l *cmdLog) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (l *cmdLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		l.mu.Lock()
		l.cmds = append(l.cmds, cmd.Name())
		l.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (l *cmdLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (l *cmdLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.cmds
	l.cmds = nil
	return out
}

// Once a read found a session's principal, this instance keeps it and the
// next reads send only an MGET of the session and its versions; any change
// is still seen on the very next read: a bump of the user or of one of its
// groups, the session rewritten or deleted.
func TestKeptPrincipalIsCheckedOnEveryRead(t *testing.T) {
	if !testenv.Redis() {
		t.Skip("Redis only (GATEHOUSE_TEST_REDIS_URL)")
	}
	t.Parallel()
	ctx := context.Background()
	s := sessionsStore(t)
	r := s.(*kv.Redis)
	log := &cmdLog{}
	r.AddHook(log)
	testenv.Must(t, s.WriteSession(ctx, sid, 7, []byte(`{"u":7}`), time.Hour))
	fill := func(payload string) {
		t.Helper()
		tag, err := s.Versions(ctx, 7, []int64{3})
		testenv.Must(t, err)
		if ok, err := s.FillPrincipal(ctx, 7, tag, []byte(payload), time.Minute); err != nil || !ok {
			t.Fatalf("fill: %v %v", ok, err)
		}
	}
	read := func(want string, cmds ...string) {
		t.Helper()
		log.take()
		got, err := s.ReadSession(ctx, sid)
		testenv.Must(t, err)
		if string(got.Principal) != want {
			t.Fatalf("principal %q, want %q", got.Principal, want)
		}
		sent := log.take()
		if len(sent) != len(cmds) {
			t.Fatalf("sent %v, want %v", sent, cmds)
		}
		for i := range cmds {
			if sent[i] != cmds[i] {
				t.Fatalf("sent %v, want %v", sent, cmds)
			}
		}
	}
	fill(`{"n":1}`)
	read(`{"n":1}`, "evalsha")
	read(`{"n":1}`, "mget")
	read(`{"n":1}`, "mget")

	// The session rewritten (last seen, re-authentication): its new data
	// comes with the kept principal.
	testenv.Must(t, s.WriteSession(ctx, sid, 7, []byte(`{"u":7,"s":2}`), time.Hour))
	if got, err := s.ReadSession(ctx, sid); err != nil || string(got.Data) != `{"u":7,"s":2}` || string(got.Principal) != `{"n":1}` {
		t.Fatalf("after a rewrite: %q %q %v", got.Data, got.Principal, err)
	}

	// A group's change: the MGET sees its epoch move, the script finds the
	// entry stale.
	testenv.Must(t, s.Bump(ctx, nil, []int64{3}, time.Hour))
	read(``, "mget", "evalsha")
	fill(`{"n":2}`)
	read(`{"n":2}`, "evalsha")
	read(`{"n":2}`, "mget")

	// Another group's change does not matter; the user's does.
	testenv.Must(t, s.Bump(ctx, nil, []int64{4}, time.Hour))
	read(`{"n":2}`, "mget")
	testenv.Must(t, s.Bump(ctx, []int64{7}, nil, time.Hour))
	read(``, "mget", "evalsha")
	fill(`{"n":3}`)
	read(`{"n":3}`, "evalsha")

	// The session ended: gone on the next read, with no script.
	testenv.Must(t, s.(kv.Store).DeleteWithContext(ctx, kv.SessionPrefix+sid))
	log.take()
	if got, err := s.ReadSession(ctx, sid); err != nil || got.Data != nil || got.Principal != nil {
		t.Fatalf("after the session ended: %+v %v", got, err)
	}
	if sent := log.take(); len(sent) != 1 || sent[0] != "mget" {
		t.Fatalf("after the session ended sent %v", sent)
	}
}

// A session id may arrive in a buffer its caller reuses for the next
// request (Fiber's cookie values do). What this instance keeps must stay
// under the id it was read for: the chaos run caught reads answered with
// another session's data after a kept entry's key changed under it.
func TestKeptPrincipalOutlivesTheCallersBuffer(t *testing.T) {
	if !testenv.Redis() {
		t.Skip("Redis only (GATEHOUSE_TEST_REDIS_URL)")
	}
	t.Parallel()
	ctx := context.Background()
	s := sessionsStore(t)
	log := &cmdLog{}
	s.(*kv.Redis).AddHook(log)
	const a, b = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	for i, id := range []string{a, b} {
		uid := int64(i + 1)
		testenv.Must(t, s.WriteSession(ctx, id, uid, fmt.Appendf(nil, `{"u":%d}`, uid), time.Hour))
		tag, err := s.Versions(ctx, uid, nil)
		testenv.Must(t, err)
		_, err = s.FillPrincipal(ctx, uid, tag, fmt.Appendf(nil, `{"p":%d}`, uid), time.Minute)
		testenv.Must(t, err)
	}
	buf := []byte(a)
	reused := unsafe.String(&buf[0], len(buf))
	if r, err := s.ReadSession(ctx, reused); err != nil || r.UserID != 1 {
		t.Fatalf("first read of a: %+v %v", r, err)
	}
	copy(buf, b) // the caller's next request
	log.take()
	r, err := s.ReadSession(ctx, a)
	testenv.Must(t, err)
	if r.UserID != 1 || string(r.Data) != `{"u":1}` || string(r.Principal) != `{"p":1}` {
		t.Fatalf("session a read as %d %q %q", r.UserID, r.Data, r.Principal)
	}
	if sent := log.take(); len(sent) != 1 || sent[0] != "mget" {
		t.Fatalf("a's kept principal was lost with the caller's buffer: sent %v", sent)
	}
	r, err = s.ReadSession(ctx, b)
	testenv.Must(t, err)
	if r.UserID != 2 || string(r.Data) != `{"u":2}` || string(r.Principal) != `{"p":2}` {
		t.Fatalf("session b read as %d %q %q", r.UserID, r.Data, r.Principal)
	}
}
