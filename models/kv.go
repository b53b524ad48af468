package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// KV is the embedded session store: Fiber's storage interface plus the
// counters and sets Gatehouse needs, on the application database, so a
// laptop needs no Redis and sessions survive a restart.
type KV struct {
	DB  *bun.DB
	Now func() time.Time // tests move the clock

	// writeMu queues this process's writes. SQLite allows one writer at a
	// time and its busy handler sleeps in steps of up to 100 ms, so
	// queueing here keeps every request's session write short.
	writeMu sync.Mutex
}

func (s *KV) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.DB.ExecContext(ctx, query, args...)
}

func (s *KV) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *KV) expiry(ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	return s.now().Add(ttl).UnixMilli()
}

func (s *KV) GetWithContext(ctx context.Context, key string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	var v []byte
	err := s.DB.NewRaw("SELECT v FROM kv_entries WHERE k = ? AND (expires_at = 0 OR expires_at > ?)", key, s.now().UnixMilli()).Scan(ctx, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("kv get: %w", err)
	}
	return v, nil
}

func (s *KV) Get(key string) ([]byte, error) { return s.GetWithContext(context.Background(), key) }

func (s *KV) SetWithContext(ctx context.Context, key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	_, err := s.exec(ctx, `INSERT INTO kv_entries (k, v, expires_at) VALUES (?, ?, ?)
ON CONFLICT (k) DO UPDATE SET v = excluded.v, expires_at = excluded.expires_at`, key, val, s.expiry(exp))
	if err != nil {
		return fmt.Errorf("kv set: %w", err)
	}
	return nil
}

func (s *KV) Set(key string, val []byte, exp time.Duration) error {
	return s.SetWithContext(context.Background(), key, val, exp)
}

func (s *KV) DeleteWithContext(ctx context.Context, key string) error {
	if _, err := s.exec(ctx, "DELETE FROM kv_entries WHERE k = ?", key); err != nil {
		return fmt.Errorf("kv delete: %w", err)
	}
	return nil
}

func (s *KV) Delete(key string) error { return s.DeleteWithContext(context.Background(), key) }

func (s *KV) ResetWithContext(ctx context.Context) error {
	for _, t := range []string{"kv_entries", "kv_counters", "kv_sets"} {
		if _, err := s.exec(ctx, "DELETE FROM "+t); err != nil {
			return fmt.Errorf("kv reset: %w", err)
		}
	}
	return nil
}

func (s *KV) Reset() error { return s.ResetWithContext(context.Background()) }

// Close does nothing: the database belongs to the caller.
func (s *KV) Close() error { return nil }

// Incr adds one to a fixed-window counter and returns the new count and the
// time left in its window; a counter whose window has passed starts again.
// One statement, so instances sharing the database never lose a count.
func (s *KV) Incr(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	now := s.now().UnixMilli()
	var n, exp int64
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	err := s.DB.QueryRowContext(ctx, `INSERT INTO kv_counters (k, n, expires_at) VALUES (?, 1, ?)
ON CONFLICT (k) DO UPDATE SET
	n = CASE WHEN kv_counters.expires_at <= ? THEN 1 ELSE kv_counters.n + 1 END,
	expires_at = CASE WHEN kv_counters.expires_at <= ? THEN excluded.expires_at ELSE kv_counters.expires_at END
RETURNING n, expires_at`, key, now+window.Milliseconds(), now, now).Scan(&n, &exp)
	if err != nil {
		return 0, 0, fmt.Errorf("kv incr: %w", err)
	}
	return n, time.Duration(exp-now) * time.Millisecond, nil
}

// Decr takes one back from a live counter, never below zero, keeping its window.
func (s *KV) Decr(ctx context.Context, key string) error {
	_, err := s.exec(ctx, "UPDATE kv_counters SET n = n - 1 WHERE k = ? AND n > 0 AND expires_at > ?", key, s.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("kv decr: %w", err)
	}
	return nil
}

// ClearCounter deletes a counter, ending its window.
func (s *KV) ClearCounter(ctx context.Context, key string) error {
	if _, err := s.exec(ctx, "DELETE FROM kv_counters WHERE k = ?", key); err != nil {
		return fmt.Errorf("kv clear counter: %w", err)
	}
	return nil
}

// Count reads a counter without changing it.
func (s *KV) Count(ctx context.Context, key string) (int64, time.Duration, error) {
	now := s.now().UnixMilli()
	var n, exp int64
	err := s.DB.QueryRowContext(ctx, "SELECT n, expires_at FROM kv_counters WHERE k = ? AND expires_at > ?", key, now).Scan(&n, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("kv count: %w", err)
	}
	return n, time.Duration(exp-now) * time.Millisecond, nil
}

// SetAdd adds member to the set at key; the member expires after ttl.
func (s *KV) SetAdd(ctx context.Context, key, member string, ttl time.Duration) error {
	_, err := s.exec(ctx, `INSERT INTO kv_sets (k, member, expires_at) VALUES (?, ?, ?)
ON CONFLICT (k, member) DO UPDATE SET expires_at = excluded.expires_at`, key, member, s.expiry(ttl))
	if err != nil {
		return fmt.Errorf("kv set add: %w", err)
	}
	return nil
}

// SetRemove removes members from the set at key.
func (s *KV) SetRemove(ctx context.Context, key string, members ...string) error {
	if len(members) == 0 {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err := s.DB.NewDelete().TableExpr("kv_sets").Where("k = ?", key).Where("member IN (?)", bun.In(members)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("kv set remove: %w", err)
	}
	return nil
}

// SetMembers lists the live members of the set at key.
func (s *KV) SetMembers(ctx context.Context, key string) ([]string, error) {
	var out []string
	err := s.DB.NewRaw("SELECT member FROM kv_sets WHERE k = ? AND (expires_at = 0 OR expires_at > ?) ORDER BY member", key, s.now().UnixMilli()).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("kv set members: %w", err)
	}
	return out, nil
}

// Ping checks that the database answers.
func (s *KV) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

// DeleteExpired removes rows whose time is up, so the tables do not grow forever.
func (s *KV) DeleteExpired(ctx context.Context) (int64, error) {
	now := s.now().UnixMilli()
	var total int64
	for _, t := range []string{"kv_entries", "kv_counters", "kv_sets"} {
		res, err := s.exec(ctx, "DELETE FROM "+t+" WHERE expires_at <> 0 AND expires_at <= ?", now)
		if err != nil {
			return total, fmt.Errorf("kv expire %s: %w", t, err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}

// TTL is the time an entry has left (0 when it has none or does not exist).
func (s *KV) TTL(ctx context.Context, key string) (time.Duration, error) {
	var exp int64
	err := s.DB.NewRaw("SELECT expires_at FROM kv_entries WHERE k = ?", key).Scan(ctx, &exp)
	if errors.Is(err, sql.ErrNoRows) || exp == 0 {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("kv ttl: %w", err)
	}
	return time.Duration(exp-s.now().UnixMilli()) * time.Millisecond, nil
}
