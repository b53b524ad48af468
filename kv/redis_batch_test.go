package kv_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/kv"
)

// Session reads that meet on the wire go out as one pipeline; each caller
// still gets its own session and principal, never a neighbour's.
func TestConcurrentSessionReadsGetTheirOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sessionsStore(t)
	const n = 200
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("%043d", i)
		uid := int64(i + 1)
		testenv.Must(t, s.WriteSession(ctx, ids[i], uid, fmt.Appendf(nil, `{"u":%d}`, uid), time.Hour))
		if i%2 == 0 {
			tag, err := s.Versions(ctx, uid, nil)
			testenv.Must(t, err)
			_, err = s.FillPrincipal(ctx, uid, tag, fmt.Appendf(nil, `{"p":%d}`, uid), time.Minute)
			testenv.Must(t, err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, n*5)
	for round := range 5 {
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				uid := int64(i + 1)
				r, err := s.ReadSession(ctx, ids[i])
				switch {
				case err != nil:
					errs <- err
				case r.UserID != uid || string(r.Data) != fmt.Sprintf(`{"u":%d}`, uid):
					errs <- fmt.Errorf("round %d, session %d read %d %q", round, i, r.UserID, r.Data)
				case i%2 == 0 && string(r.Principal) != fmt.Sprintf(`{"p":%d}`, uid):
					errs <- fmt.Errorf("round %d, session %d: principal %q", round, i, r.Principal)
				case i%2 == 1 && r.Principal != nil:
					errs <- fmt.Errorf("round %d, session %d: principal %q, none filled", round, i, r.Principal)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A Redis that lost its scripts (restarted, SCRIPT FLUSH) still answers
// batched reads: the read script is loaded again.
func TestSessionReadsSurviveAScriptFlush(t *testing.T) {
	u := os.Getenv("GATEHOUSE_TEST_REDIS_URL")
	if u == "" {
		t.Skip("Redis only (GATEHOUSE_TEST_REDIS_URL)")
	}
	ctx := context.Background()
	s := sessionsStore(t)
	testenv.Must(t, s.WriteSession(ctx, sid, 3, []byte(`{"u":3}`), time.Hour))
	opts, err := redis.ParseURL(u)
	testenv.Must(t, err)
	admin := redis.NewClient(opts)
	defer admin.Close()
	testenv.Must(t, admin.ScriptFlush(ctx).Err())
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r, err := s.ReadSession(ctx, sid); err != nil || r.UserID != 3 {
				t.Errorf("read after SCRIPT FLUSH: %+v, %v", r, err)
			}
		}()
	}
	wg.Wait()
}

// A read whose context ends stops waiting, and a closed store refuses.
func TestSessionReadHonoursItsContext(t *testing.T) {
	t.Parallel()
	s := sessionsStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.ReadSession(ctx, sid); err == nil {
		t.Fatal("a read with an ended context succeeded")
	}
	if c, ok := s.(interface{ Close() error }); ok && testenv.Redis() {
		testenv.Must(t, c.Close())
		if _, err := s.ReadSession(context.Background(), sid); err == nil {
			t.Fatal("a read on a closed store succeeded")
		}
	}
}

var _ kv.Sessions = (*kv.Redis)(nil)
