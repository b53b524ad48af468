package limiter_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
)

// OnRefused hears the name of each limit that refuses an attempt, as
// GATEHOUSE_RATE_LIMITS names it, and nothing for attempts let through.
func TestOnRefusedNamesTheLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLimiter(t)
	one := auth.Limit{Max: 1, Window: time.Hour}
	l.Limits = auth.Limits{LoginAccount: one, LoginName: one, LoginIP: one, SignupIP: one,
		ResetAddress: one, ResetIP: auth.Limit{Max: 5, Window: time.Hour}, ValidateIP: one}
	var mu sync.Mutex
	var refused []string
	l.OnRefused = func(limit string) { mu.Lock(); refused = append(refused, limit); mu.Unlock() }

	twice := func(f func() (account.Reservation, error)) {
		t.Helper()
		for range 2 {
			r, err := f()
			if err != nil {
				t.Fatal(err)
			}
			_ = r.Failed(ctx)
		}
	}
	twice(func() (account.Reservation, error) { return l.Signup(ctx, "203.0.113.1") })
	twice(func() (account.Reservation, error) { return l.Validate(ctx, "203.0.113.1") })
	twice(func() (account.Reservation, error) { return l.Reset(ctx, "203.0.113.1", "a@example.com") })
	twice(func() (account.Reservation, error) { return l.Account(ctx, 9) })
	// A failed sign-in from .2 uses up its address and the name "x"; the
	// next one from .2 is refused by the address before anything else.
	twice(func() (account.Reservation, error) { return l.Login(ctx, "203.0.113.2", "x", 0) })
	// From another address, the name "x" refuses.
	if r, err := l.Login(ctx, "203.0.113.3", "x", 0); err != nil {
		t.Fatal(err)
	} else if b, _ := r.Blocked(); !b {
		t.Fatal("the name's limit let a second attempt through")
	}
	want := []string{"signup_ip", "validate_ip", "reset_address", "login_account", "login_ip", "login_name"}
	if !slices.Equal(refused, want) {
		t.Fatalf("refused %v, want %v", refused, want)
	}
	for _, name := range refused {
		if !slices.Contains(auth.LimitNames(), name) {
			t.Errorf("%q is not a GATEHOUSE_RATE_LIMITS name", name)
		}
	}
}
