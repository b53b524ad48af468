package kv_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

// These run against the store the environment selects: Redis when
// GATEHOUSE_TEST_REDIS_URL is set, else the embedded one on the database.

func TestStoreSetGetDeleteExpire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.OpenStore(t, testenv.OpenDB(t))
	if v, err := s.GetWithContext(ctx, "missing"); err != nil || v != nil {
		t.Fatalf("missing key: %q %v", v, err)
	}
	testenv.Must(t, s.SetWithContext(ctx, "a", []byte("one"), time.Minute))
	testenv.Must(t, s.SetWithContext(ctx, "a", []byte("two"), time.Minute))
	if v, _ := s.GetWithContext(ctx, "a"); string(v) != "two" {
		t.Fatalf("overwrite: %q", v)
	}
	testenv.Must(t, s.SetWithContext(ctx, "short", []byte("x"), 50*time.Millisecond))
	testenv.Must(t, s.SetWithContext(ctx, "forever", []byte("y"), 0))
	time.Sleep(120 * time.Millisecond)
	if v, _ := s.GetWithContext(ctx, "short"); v != nil {
		t.Fatalf("expired key still there: %q", v)
	}
	if v, _ := s.GetWithContext(ctx, "forever"); string(v) != "y" {
		t.Fatalf("key without expiry lost: %q", v)
	}
	testenv.Must(t, s.DeleteWithContext(ctx, "a"))
	testenv.Must(t, s.DeleteWithContext(ctx, "never-existed"))
	if v, _ := s.GetWithContext(ctx, "a"); v != nil {
		t.Fatalf("deleted key: %q", v)
	}
	testenv.Must(t, s.Ping(ctx))
	testenv.Must(t, s.ResetWithContext(ctx))
	if v, _ := s.GetWithContext(ctx, "forever"); v != nil {
		t.Fatal("reset left a key")
	}
}

func TestStoreCountersAreAtomicAndFixedWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.OpenStore(t, testenv.OpenDB(t))
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := s.Incr(ctx, "c", time.Minute); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	n, ttl, err := s.Count(ctx, "c")
	if err != nil || n != 20 || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("count after 20 concurrent incr: %d ttl %v err %v", n, ttl, err)
	}
	// A later hit does not extend the window.
	time.Sleep(20 * time.Millisecond)
	_, ttl2, _ := s.Incr(ctx, "c", time.Minute)
	if ttl2 > ttl {
		t.Fatalf("window extended: %v > %v", ttl2, ttl)
	}
	if n, _, _ := s.Count(ctx, "nothing"); n != 0 {
		t.Fatalf("unknown counter: %d", n)
	}
	_, _, _ = s.Incr(ctx, "w", 50*time.Millisecond)
	time.Sleep(120 * time.Millisecond)
	if n, _, _ := s.Count(ctx, "w"); n != 0 {
		t.Fatalf("expired counter: %d", n)
	}
	if n, _, _ := s.Incr(ctx, "w", time.Minute); n != 1 {
		t.Fatalf("counter after its window restarts at 1, got %d", n)
	}
}

func TestStoreDecr(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.OpenStore(t, testenv.OpenDB(t))
	testenv.Must(t, s.Decr(ctx, "none"))
	if n, ttl, _ := s.Count(ctx, "none"); n != 0 || ttl > 0 {
		t.Fatalf("decr made a counter: %d %v", n, ttl)
	}
	_, _, _ = s.Incr(ctx, "d", time.Minute)
	_, ttl, _ := s.Incr(ctx, "d", time.Minute)
	time.Sleep(20 * time.Millisecond)
	testenv.Must(t, s.Decr(ctx, "d"))
	n, ttl2, err := s.Count(ctx, "d")
	if err != nil || n != 1 || ttl2 <= 0 || ttl2 > ttl {
		t.Fatalf("after decr: %d ttl %v (was %v) err %v", n, ttl2, ttl, err)
	}
	testenv.Must(t, s.Decr(ctx, "d"))
	testenv.Must(t, s.Decr(ctx, "d"))
	if n, _, _ := s.Count(ctx, "d"); n != 0 {
		t.Fatalf("decr below zero: %d", n)
	}
	if n, _, _ := s.Incr(ctx, "d", time.Minute); n != 1 {
		t.Fatalf("incr after decr to zero: %d", n)
	}
}

func TestStoreSets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.OpenStore(t, testenv.OpenDB(t))
	testenv.Must(t, s.SetAdd(ctx, "s", "b", time.Hour))
	testenv.Must(t, s.SetAdd(ctx, "s", "a", time.Hour))
	testenv.Must(t, s.SetAdd(ctx, "s", "a", time.Hour))
	m, err := s.SetMembers(ctx, "s")
	if err != nil || len(m) != 2 {
		t.Fatalf("members: %v %v", m, err)
	}
	testenv.Must(t, s.SetRemove(ctx, "s", "a", "zzz"))
	if m, _ := s.SetMembers(ctx, "s"); len(m) != 1 || m[0] != "b" {
		t.Fatalf("after remove: %v", m)
	}
	testenv.Must(t, s.SetRemove(ctx, "s"))
}

func TestEmbeddedStoreSurvivesReopenAndExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.OpenDB(t)
	if _, err := models.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s := &models.KV{DB: db, Now: func() time.Time { return now }}
	testenv.Must(t, s.SetWithContext(ctx, "k", []byte("v"), time.Hour))
	again := &models.KV{DB: db, Now: func() time.Time { return now }}
	if v, _ := again.GetWithContext(ctx, "k"); string(v) != "v" {
		t.Fatalf("a second store on the same database does not see the session: %q", v)
	}
	now = now.Add(2 * time.Hour)
	if v, _ := again.GetWithContext(ctx, "k"); v != nil {
		t.Fatal("expired session readable")
	}
	n, err := again.DeleteExpired(ctx)
	if err != nil || n != 1 {
		t.Fatalf("delete expired: %d %v", n, err)
	}
}

func TestStoreClearCounter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.OpenStore(t, testenv.OpenDB(t))
	testenv.Must(t, s.ClearCounter(ctx, "none"))
	for range 3 {
		_, _, _ = s.Incr(ctx, "c", time.Hour)
	}
	testenv.Must(t, s.ClearCounter(ctx, "c"))
	if n, ttl, err := s.Count(ctx, "c"); err != nil || n != 0 || ttl > 0 {
		t.Fatalf("after clear: %d %v %v", n, ttl, err)
	}
	// A new window starts from one, with its full length.
	if n, ttl, _ := s.Incr(ctx, "c", time.Minute); n != 1 || ttl <= 50*time.Second {
		t.Fatalf("incr after clear: %d %v", n, ttl)
	}
}
