package limiter_test

import (
	"context"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/limiter"
	"github.com/gatehouse/gatehouse/models"
)

func newLimiter(t *testing.T) limiter.Limiter {
	t.Helper()
	db := testenv.OpenDB(t)
	if _, err := models.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return limiter.Limiter{Store: testenv.OpenStore(t, db)}
}

// Parallel guesses of one account stop at its limit: each is counted
// before it is checked.
func TestLoginReservesBeforeTheCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLimiter(t)
	var mu sync.Mutex
	passed := 0
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Different addresses, so only the account's limit applies.
			r, err := l.Login(ctx, "198.51.100."+string(rune('a'+i)), "mallory", 42)
			if err != nil {
				t.Error(err)
				return
			}
			if blocked, _ := r.Blocked(); !blocked {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// A refused attempt holds its count for a moment before taking it
	// back, so a parallel one may be refused under the limit: at most Max
	// pass, never more.
	if passed == 0 || passed > auth.DefaultLimits().LoginAccount.Max {
		t.Fatalf("%d parallel attempts passed, want 1..%d", passed, auth.DefaultLimits().LoginAccount.Max)
	}
}

// A released attempt does not count, and a refused one is not counted.
func TestReleaseAndRefusal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLimiter(t)
	for range 10 {
		r, err := l.Account(ctx, 7)
		if err != nil {
			t.Fatal(err)
		}
		if blocked, _ := r.Blocked(); blocked {
			t.Fatal("released attempts were counted")
		}
		if err := r.Release(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var last interface{ Tripped() []string }
	for range auth.DefaultLimits().LoginAccount.Max {
		r, err := l.Account(ctx, 7)
		if err != nil {
			t.Fatal(err)
		}
		last = r
	}
	if len(last.Tripped()) != 1 {
		t.Fatalf("the attempt reaching the limit tripped %v", last.Tripped())
	}
	r, err := l.Account(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	blocked, wait := r.Blocked()
	if !blocked || wait <= 0 || len(r.Tripped()) != 0 {
		t.Fatalf("over the limit: blocked=%v wait=%v tripped=%v", blocked, wait, r.Tripped())
	}
	// Limits are separate per purpose and per key.
	if r, _ := l.Account(ctx, 8); r == nil {
		t.Fatal("no reservation")
	} else if b, _ := r.Blocked(); b {
		t.Fatal("another account is blocked")
	}
	if r, _ := l.Signup(ctx, "203.0.113.9"); r == nil {
		t.Fatal("no reservation")
	} else if b, _ := r.Blocked(); b {
		t.Fatal("sign-up shares the sign-in counter")
	}
}
