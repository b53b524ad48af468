// Package limiter counts attempts against the rate limits of auth, in the
// session store, as fixed windows. It builds every counter's key, so no
// caller names one.
package limiter

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/kv"
)

// Limiter reserves attempts.
type Limiter struct{ Store kv.Store }

var _ account.Limiter = Limiter{}

type counter struct {
	key   string
	limit auth.Limit
}

func accountCounter(uid int64) counter {
	return counter{"rl:login:acct:" + strconv.FormatInt(uid, 10), auth.LoginLimits.Account}
}

// Login reserves a sign-in attempt: per address, per name as typed
// (nameKey, folded by auth.NormalizeLogin) and, for an existing account,
// per account.
func (l Limiter) Login(ctx context.Context, ip, nameKey string, uid int64) (account.Reservation, error) {
	cs := []counter{
		{"rl:login:ip:" + ip, auth.LoginLimits.IP},
		{"rl:login:name:" + nameKey, auth.LoginLimits.Name},
	}
	if uid != 0 {
		cs = append(cs, accountCounter(uid))
	}
	return l.reserve(ctx, cs)
}

// Account reserves a password check of a signed-in user; failures count
// as failed sign-ins of the account.
func (l Limiter) Account(ctx context.Context, uid int64) (account.Reservation, error) {
	return l.reserve(ctx, []counter{accountCounter(uid)})
}

// Signup reserves a sign-up from an address.
func (l Limiter) Signup(ctx context.Context, ip string) (account.Reservation, error) {
	return l.reserve(ctx, []counter{{"rl:signup:ip:" + ip, auth.SignupLimit}})
}

// Reset reserves a reset request, per address and per email key, known or not.
func (l Limiter) Reset(ctx context.Context, ip, emailKey string) (account.Reservation, error) {
	return l.reserve(ctx, []counter{
		{"rl:reset:ip:" + ip, auth.ResetLimits.IP},
		{"rl:reset:addr:" + emailKey, auth.ResetLimits.Address},
	})
}

// reservation is the counts one attempt made.
type reservation struct {
	store   kv.Store
	counted []counter
	blocked bool
	wait    time.Duration
	tripped []string
}

func (r *reservation) Blocked() (bool, time.Duration) { return r.blocked, r.wait }
func (r *reservation) Tripped() []string              { return r.tripped }

// Release takes back the counts of the attempt.
func (r *reservation) Release(ctx context.Context) error {
	for _, c := range r.counted {
		if err := r.store.Decr(ctx, c.key); err != nil {
			return fmt.Errorf("rate limit %s: %w", c.key, err)
		}
	}
	r.counted = nil
	return nil
}

// reserve counts an attempt on every counter before it is made. One that
// would go over a limit is refused (blocked, with the longest wait) and
// its counts are taken back, so refusals never add up.
func (l Limiter) reserve(ctx context.Context, cs []counter) (*reservation, error) {
	r := &reservation{store: l.Store}
	for _, c := range cs {
		n, ttl, err := l.Store.Incr(ctx, c.key, c.limit.Window)
		if err != nil {
			_ = r.Release(ctx)
			return nil, fmt.Errorf("rate limit %s: %w", c.key, err)
		}
		r.counted = append(r.counted, c)
		if auth.Exceeded(int(n)-1, c.limit) {
			r.blocked = true
			r.wait = max(r.wait, ttl)
		} else if int(n) == c.limit.Max {
			r.tripped = append(r.tripped, c.key)
		}
	}
	if r.blocked {
		if err := r.Release(ctx); err != nil {
			return nil, err
		}
		r.tripped = nil
	}
	return r, nil
}
