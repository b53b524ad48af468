// Package limiter counts attempts against the rate limits of auth, in the
// session store, as fixed windows. It builds every counter's key (all under
// "rl:"), so no caller names one.
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
type Limiter struct {
	Store kv.Store
	// Limits are the limits applied (auth.ParseRateLimits); the zero value
	// means auth.DefaultLimits().
	Limits auth.Limits
	// OnRefused, when set, is told the name of each limit that refuses an
	// attempt (as GATEHOUSE_RATE_LIMITS names it: login_ip, reset_address…).
	OnRefused func(limit string)
}

var _ account.Limiter = Limiter{}

func (l Limiter) limits() auth.Limits {
	if l.Limits == (auth.Limits{}) {
		return auth.DefaultLimits()
	}
	return l.Limits
}

type counter struct {
	name  string // the limit's name in GATEHOUSE_RATE_LIMITS
	key   string
	limit auth.Limit
}

// Counter keys, one prefix per purpose under "rl:".
func accountKey(uid int64) string    { return "rl:login:acct:" + strconv.FormatInt(uid, 10) }
func nameKey(name string) string     { return "rl:login:name:" + name }
func loginIPKey(ip string) string    { return "rl:login:ip:" + ip }
func signupIPKey(ip string) string   { return "rl:signup:ip:" + ip }
func validateIPKey(ip string) string { return "rl:validate:ip:" + ip }
func resetIPKey(ip string) string    { return "rl:reset:ip:" + ip }
func resetAddrKey(key string) string { return "rl:reset:addr:" + key }
func (l Limiter) account(uid int64) counter {
	return counter{"login_account", accountKey(uid), l.limits().LoginAccount}
}

// Login reserves a sign-in attempt per name as typed (name, folded by
// auth.NormalizeLogin) and, for an existing account, per account: these
// count before the password is checked, so parallel guesses cannot outrun
// them. The per-address limit counts failures only (Failed), so many
// correct sign-ins from one address at once all pass; it is checked first.
func (l Limiter) Login(ctx context.Context, ip, name string, uid int64) (account.Reservation, error) {
	lim := l.limits()
	ipc := counter{"login_ip", loginIPKey(ip), lim.LoginIP}
	n, ttl, err := l.Store.Count(ctx, ipc.key)
	if err != nil {
		return nil, fmt.Errorf("rate limit %s: %w", ipc.key, err)
	}
	if auth.Exceeded(int(n), ipc.limit) {
		l.refused(ipc)
		return &reservation{store: l.Store, blocked: true, wait: ttl}, nil
	}
	cs := []counter{{"login_name", nameKey(name), lim.LoginName}}
	if uid != 0 {
		cs = append(cs, l.account(uid))
	}
	r, err := l.reserve(ctx, cs)
	if err != nil {
		return nil, err
	}
	if !r.blocked {
		r.onFailure = []counter{ipc}
	}
	return r, nil
}

// Account reserves a password check of a signed-in user; failures count
// as failed sign-ins of the account.
func (l Limiter) Account(ctx context.Context, uid int64) (account.Reservation, error) {
	return l.reserve(ctx, []counter{l.account(uid)})
}

// Signup reserves a sign-up from an address.
func (l Limiter) Signup(ctx context.Context, ip string) (account.Reservation, error) {
	return l.reserve(ctx, []counter{{"signup_ip", signupIPKey(ip), l.limits().SignupIP}})
}

// Validate reserves an inline check of the sign-up form from an address.
func (l Limiter) Validate(ctx context.Context, ip string) (account.Reservation, error) {
	return l.reserve(ctx, []counter{{"validate_ip", validateIPKey(ip), l.limits().ValidateIP}})
}

// Reset reserves a reset request, per address and per email key, known or not.
func (l Limiter) Reset(ctx context.Context, ip, emailKey string) (account.Reservation, error) {
	lim := l.limits()
	return l.reserve(ctx, []counter{
		{"reset_ip", resetIPKey(ip), lim.ResetIP},
		{"reset_address", resetAddrKey(emailKey), lim.ResetAddress},
	})
}

// ClearLogin forgets the failed sign-ins of an account and of the login
// names that reach it (its username and email, folded as
// auth.NormalizeLogin folds them), lifting a lockout.
func (l Limiter) ClearLogin(ctx context.Context, uid int64, names ...string) error {
	keys := []string{accountKey(uid)}
	for _, n := range names {
		if n != "" {
			keys = append(keys, nameKey(n))
		}
	}
	for _, k := range keys {
		if err := l.Store.ClearCounter(ctx, k); err != nil {
			return fmt.Errorf("clear rate limit %s: %w", k, err)
		}
	}
	return nil
}

func (l Limiter) refused(c counter) {
	if l.OnRefused != nil {
		l.OnRefused(c.name)
	}
}

// reservation is the counts one attempt made.
type reservation struct {
	store   kv.Store
	counted []counter
	// onFailure are counted only when the attempt failed.
	onFailure []counter
	blocked   bool
	wait      time.Duration
	tripped   []string
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
	r.counted, r.onFailure = nil, nil
	return nil
}

// Failed counts the failure on the counters that count failures only.
func (r *reservation) Failed(ctx context.Context) error {
	for _, c := range r.onFailure {
		n, _, err := r.store.Incr(ctx, c.key, c.limit.Window)
		if err != nil {
			return fmt.Errorf("rate limit %s: %w", c.key, err)
		}
		if int(n) == c.limit.Max {
			r.tripped = append(r.tripped, c.key)
		}
	}
	r.onFailure = nil
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
			l.refused(c)
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
