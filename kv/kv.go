// Package kv defines the session store Gatehouse keeps sessions, CSRF tokens,
// rate-limit counters and per-user session indexes in: Redis in production,
// the application database (models.KV) when no Redis is configured.
package kv

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v3"
)

// Store is Fiber's storage interface plus atomic counters and sets.
type Store interface {
	fiber.Storage
	// Incr adds one to a fixed-window counter, creating it with the given
	// window, and returns the count and the time left in the window.
	Incr(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error)
	// Decr takes one back from a live counter (never below zero), leaving
	// its window as it is; a missing or expired counter stays missing.
	Decr(ctx context.Context, key string) error
	// Count reads a counter without changing it.
	Count(ctx context.Context, key string) (int64, time.Duration, error)
	// ClearCounter deletes a counter, ending its window.
	ClearCounter(ctx context.Context, key string) error
	SetAdd(ctx context.Context, key, member string, ttl time.Duration) error
	SetRemove(ctx context.Context, key string, members ...string) error
	SetMembers(ctx context.Context, key string) ([]string, error)
	Ping(ctx context.Context) error
}
