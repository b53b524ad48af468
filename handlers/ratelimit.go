package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// counter is one rate-limit counter: a key in the session store and its limit.
type counter struct {
	key   string
	limit auth.Limit
}

func loginCounters(ip, login string, uid int64) []counter {
	cs := []counter{
		{"rl:login:ip:" + ip, auth.LoginLimits.IP},
		{"rl:login:name:" + strings.ToLower(login), auth.LoginLimits.Name},
	}
	if uid != 0 {
		cs = append(cs, counter{"rl:login:acct:" + strconv.FormatInt(uid, 10), auth.LoginLimits.Account})
	}
	return cs
}

// reserve counts an attempt on every counter before it is made, so that
// parallel attempts cannot all pass a check that none of them has counted
// yet. An attempt that would go over a limit is refused (blocked, with the
// longest wait) and its counts are taken back, so refusals never add up.
// Otherwise it reports the counters this attempt brings to their limit;
// release takes the counts back when the attempt turns out not to be a
// failure.
func (s *Server) reserve(ctx context.Context, cs []counter) (wait time.Duration, blocked bool, tripped []string, err error) {
	var done []counter
	for _, c := range cs {
		n, ttl, err := s.Store.Incr(ctx, c.key, c.limit.Window)
		if err != nil {
			_ = s.release(ctx, done)
			return 0, false, nil, fmt.Errorf("rate limit %s: %w", c.key, err)
		}
		done = append(done, c)
		if auth.Exceeded(int(n)-1, c.limit) {
			blocked = true
			wait = max(wait, ttl)
		} else if int(n) == c.limit.Max {
			tripped = append(tripped, c.key)
		}
	}
	if blocked {
		if err := s.release(ctx, done); err != nil {
			return 0, false, nil, err
		}
		return wait, true, nil, nil
	}
	return 0, false, tripped, nil
}

// release takes back the counts reserve made.
func (s *Server) release(ctx context.Context, cs []counter) error {
	for _, c := range cs {
		if err := s.Store.Decr(ctx, c.key); err != nil {
			return fmt.Errorf("rate limit %s: %w", c.key, err)
		}
	}
	return nil
}
