package auth

import "time"

// Limit allows Max events per Window. Counters live elsewhere (Redis or
// SQL); this package only holds the numbers and the arithmetic so that
// every store applies the same policy.
type Limit struct {
	Max    int
	Window time.Duration
}

// LoginLimitSet groups the limits checked on each sign-in attempt.
type LoginLimitSet struct {
	Account Limit // failures per existing account
	Name    Limit // failures per login name as typed (also covers unknown names)
	IP      Limit // failures per client address
}

// ResetLimitSet groups the limits on password-reset requests.
type ResetLimitSet struct {
	Address Limit // requests per email address
	IP      Limit // requests per client address
}

// Policy values. They are variables only so that they can be grouped in
// structs; treat them as constants. The per-account and per-name limits
// slow password guessing against one user; the looser per-address limit
// lets an office behind one NAT sign in while stopping spraying.
var (
	LoginLimits = LoginLimitSet{
		Account: Limit{Max: 5, Window: 15 * time.Minute},
		Name:    Limit{Max: 5, Window: 15 * time.Minute},
		IP:      Limit{Max: 20, Window: 15 * time.Minute},
	}
	SignupLimit = Limit{Max: 20, Window: time.Hour} // per client address
	ResetLimits = ResetLimitSet{
		Address: Limit{Max: 5, Window: time.Hour},
		IP:      Limit{Max: 20, Window: time.Hour},
	}
)

// Exceeded reports whether count events already recorded in the current
// window use up l, i.e. whether the next attempt must be refused.
func Exceeded(count int, l Limit) bool {
	return count >= l.Max
}

// RetryAfterSeconds converts the remaining lifetime of a window into a
// Retry-After value: whole seconds rounded up, and at least 1 so that a
// client never retries immediately (stores report expired or missing keys
// with zero or negative TTLs).
func RetryAfterSeconds(ttl time.Duration) int {
	if ttl <= time.Second {
		return 1
	}
	secs := ttl / time.Second
	if ttl%time.Second != 0 {
		secs++
	}
	return int(secs)
}
