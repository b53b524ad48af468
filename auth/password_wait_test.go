package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// OnWait hears how long each hash waited for a slot: nothing when one was
// free, the wait when all were taken, and the wait of a caller that gave up.
func TestHasherReportsSlotWaits(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := NewHasher(Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 1)
		var mu sync.Mutex
		var waits []time.Duration
		h.OnWait(func(d time.Duration) { mu.Lock(); waits = append(waits, d); mu.Unlock() })

		if _, err := h.Hash(context.Background(), "free slot"); err != nil {
			t.Fatal(err)
		}
		h.sem <- struct{}{} // the one slot is busy
		done := make(chan error)
		go func() { _, err := h.Hash(context.Background(), "waits"); done <- err }()
		synctest.Wait()
		time.Sleep(1500 * time.Millisecond)
		<-h.sem
		if err := <-done; err != nil {
			t.Fatal(err)
		}

		h.sem <- struct{}{}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := h.Hash(ctx, "gives up"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want the deadline", err)
		}
		<-h.sem

		h.OnWait(nil)
		if _, err := h.Hash(context.Background(), "not reported"); err != nil {
			t.Fatal(err)
		}
		want := []time.Duration{0, 1500 * time.Millisecond, 2 * time.Second}
		if len(waits) != len(want) {
			t.Fatalf("waits %v, want %v", waits, want)
		}
		for i := range want {
			if waits[i] != want[i] {
				t.Fatalf("waits %v, want %v", waits, want)
			}
		}
	})
}
