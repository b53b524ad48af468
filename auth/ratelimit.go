package auth

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limit allows Max events per Window. Counters live elsewhere (Redis or
// SQL); this package only holds the numbers and the arithmetic so that
// every store applies the same policy.
type Limit struct {
	Max    int
	Window time.Duration
}

func (l Limit) String() string { return strconv.Itoa(l.Max) + "/" + windowName(l.Window) }

// Limits are every rate limit Gatehouse applies. The per-account and
// per-name limits slow password guessing against one user; the per-address
// limit counts failures only, so an office behind one NAT signs in at the
// same moment while spraying from one address stops.
type Limits struct {
	LoginAccount Limit // failed sign-ins and password checks per existing account
	LoginName    Limit // failed sign-ins per login name as typed (also unknown names)
	LoginIP      Limit // failed sign-ins per client address
	SignupIP     Limit // sign-ups per client address
	ResetAddress Limit // reset requests per email address
	ResetIP      Limit // reset requests per client address
	ValidateIP   Limit // inline validations of the sign-up form per client address
}

// DefaultLimits are the limits of CONTRACT §5, the one place they are set.
func DefaultLimits() Limits {
	return Limits{
		LoginAccount: Limit{Max: 5, Window: 15 * time.Minute},
		LoginName:    Limit{Max: 5, Window: 15 * time.Minute},
		LoginIP:      Limit{Max: 50, Window: 15 * time.Minute},
		SignupIP:     Limit{Max: 20, Window: time.Minute},
		ResetAddress: Limit{Max: 5, Window: time.Hour},
		ResetIP:      Limit{Max: 20, Window: time.Hour},
		ValidateIP:   Limit{Max: 300, Window: 5 * time.Minute},
	}
}

// limitNames are the names GATEHOUSE_RATE_LIMITS uses.
func (l *Limits) byName() map[string]*Limit {
	return map[string]*Limit{
		"login_account": &l.LoginAccount,
		"login_name":    &l.LoginName,
		"login_ip":      &l.LoginIP,
		"signup_ip":     &l.SignupIP,
		"reset_address": &l.ResetAddress,
		"reset_ip":      &l.ResetIP,
		"validate_ip":   &l.ValidateIP,
	}
}

// limitNames lists the names ParseRateLimits knows, in a fixed order.
var limitNames = []string{"login_account", "login_name", "login_ip", "signup_ip", "reset_address", "reset_ip", "validate_ip"}

// LimitNames lists the limits' names, as GATEHOUSE_RATE_LIMITS and the
// metrics call them.
func LimitNames() []string { return slices.Clone(limitNames) }

// Maximum count of one limit: a bigger one is a typo, not a policy.
const maxLimit = 1_000_000

// ParseRateLimits reads overrides of the default limits, e.g.
// "login_ip=50/15m,signup_ip=20/1m": comma-separated name=N/window, the
// window a whole number of s, m or h (30s, 1m, 15m, 1h, 24h). Names left
// out keep their default; an unknown name, a repeated one or a bad value
// is an error naming it.
func ParseRateLimits(s string) (Limits, error) {
	l := DefaultLimits()
	names := l.byName()
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok {
			return l, fmt.Errorf("%q: want name=N/window, e.g. login_ip=50/15m", part)
		}
		dst, known := names[name]
		if !known {
			return l, fmt.Errorf("unknown limit %q: want one of %s", name, strings.Join(limitNames, ", "))
		}
		if seen[name] {
			return l, fmt.Errorf("limit %q given twice", name)
		}
		seen[name] = true
		lim, err := parseLimit(value)
		if err != nil {
			return l, fmt.Errorf("%s=%s: %w", name, value, err)
		}
		*dst = lim
	}
	return l, nil
}

func parseLimit(v string) (Limit, error) {
	n, w, ok := strings.Cut(v, "/")
	if !ok {
		return Limit{}, fmt.Errorf("want N/window, e.g. 50/15m")
	}
	max, err := strconv.Atoi(n)
	if err != nil || max < 1 || max > maxLimit {
		return Limit{}, fmt.Errorf("count %q: want a whole number from 1 to %d", n, maxLimit)
	}
	window, err := parseWindow(w)
	if err != nil {
		return Limit{}, err
	}
	return Limit{Max: max, Window: window}, nil
}

// parseWindow reads 30s, 15m, 1h: a whole number from 1 and one unit, at
// most 24 hours.
func parseWindow(w string) (time.Duration, error) {
	bad := fmt.Errorf("window %q: want a whole number of s, m or h, e.g. 30s, 15m, 1h (at most 24h)", w)
	if len(w) < 2 {
		return 0, bad
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour}[w[len(w)-1]]
	if unit == 0 {
		return 0, bad
	}
	digits := w[:len(w)-1]
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0, bad
		}
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || time.Duration(n) > 24*time.Hour/unit {
		return 0, bad
	}
	return time.Duration(n) * unit, nil
}

func windowName(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d >= time.Minute && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}

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
