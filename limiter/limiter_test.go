package limiter_test

import (
	"context"
	"sync"
	"testing"
	"time"

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

// The per-address sign-in limit counts failures only; the per-account and
// per-name ones reserve. ClearLogin lifts an account's lockout.
func TestLoginAddressCountsFailuresAndClear(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLimiter(t)
	l.Limits = auth.DefaultLimits()
	l.Limits.LoginIP = auth.Limit{Max: 3, Window: time.Minute}
	// Many attempts in flight from one address: none is refused.
	var held []interface{ Release(context.Context) error }
	for i := range 10 {
		r, err := l.Login(ctx, "192.0.2.1", "user"+string(rune('a'+i)), int64(100+i))
		testenv.Must(t, err)
		if b, _ := r.Blocked(); b {
			t.Fatalf("attempt %d in flight refused by the address limit", i)
		}
		held = append(held, r)
	}
	for _, r := range held {
		testenv.Must(t, r.Release(ctx))
	}
	for i := range 3 {
		r, err := l.Login(ctx, "192.0.2.1", "guess"+string(rune('a'+i)), 0)
		testenv.Must(t, err)
		testenv.Must(t, r.Failed(ctx))
		if i == 2 && len(r.Tripped()) != 1 {
			t.Fatalf("the failure reaching the address limit tripped %v", r.Tripped())
		}
	}
	r, err := l.Login(ctx, "192.0.2.1", "someone", 7)
	testenv.Must(t, err)
	if b, wait := r.Blocked(); !b || wait <= 0 {
		t.Fatal("address over its failure limit not blocked")
	}
	// Lock account 9 out by name and account, then clear it.
	for i := range 5 {
		r, err := l.Login(ctx, "198.51.100."+string(rune('1'+i)), "nina", 9)
		testenv.Must(t, err)
		testenv.Must(t, r.Failed(ctx))
	}
	if r, _ := l.Account(ctx, 9); r == nil {
		t.Fatal("no reservation")
	} else if b, _ := r.Blocked(); !b {
		t.Fatal("account not locked after 5 failures")
	}
	testenv.Must(t, l.ClearLogin(ctx, 9, "nina"))
	r, err = l.Login(ctx, "198.51.100.9", "nina", 9)
	testenv.Must(t, err)
	if b, _ := r.Blocked(); b {
		t.Fatal("still locked after ClearLogin")
	}
}
