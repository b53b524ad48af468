package kv

import (
	"context"
	"fmt"
	"time"

	redisstorage "github.com/gofiber/storage/redis/v3"
	"github.com/redis/go-redis/v9"
)

// Redis is a Store on Redis. Every key gets Prefix, so tests and several
// deployments can share one server.
type Redis struct {
	client  *redis.Client
	storage *redisstorage.Storage
	prefix  string
	reads   *readBatcher
	local   localPrincipals
}

// NewRedis connects lazily: a Redis that is down at start makes requests
// fail with 503 until it answers, instead of stopping the process.
func NewRedis(url, prefix string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	// Short timeouts: a dead Redis must turn into a 503 within a second or two.
	opts.DialTimeout = time.Second
	opts.ReadTimeout = time.Second
	opts.WriteTimeout = time.Second
	opts.PoolTimeout = 2 * time.Second
	opts.MaxRetries = 1
	client := redis.NewClient(opts)
	return &Redis{
		client:  client,
		storage: redisstorage.NewFromConnection(client, redisstorage.Config{SkipConnectionCheck: true}),
		prefix:  prefix,
		reads:   newReadBatcher(client, prefix),
	}, nil
}

func (r *Redis) k(key string) string { return r.prefix + key }

func (r *Redis) GetWithContext(ctx context.Context, key string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	return r.storage.GetWithContext(ctx, r.k(key))
}

func (r *Redis) Get(key string) ([]byte, error) { return r.GetWithContext(context.Background(), key) }

func (r *Redis) SetWithContext(ctx context.Context, key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	return r.storage.SetWithContext(ctx, r.k(key), val, exp)
}

func (r *Redis) Set(key string, val []byte, exp time.Duration) error {
	return r.SetWithContext(context.Background(), key, val, exp)
}

func (r *Redis) DeleteWithContext(ctx context.Context, key string) error {
	return r.storage.DeleteWithContext(ctx, r.k(key))
}

func (r *Redis) Delete(key string) error { return r.DeleteWithContext(context.Background(), key) }

// ResetWithContext deletes this store's keys only, never the whole database.
func (r *Redis) ResetWithContext(ctx context.Context) error {
	iter := r.client.Scan(ctx, 0, r.prefix+"*", 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := r.client.Del(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return r.client.Del(ctx, batch...).Err()
	}
	return nil
}

func (r *Redis) Reset() error { return r.ResetWithContext(context.Background()) }

func (r *Redis) Close() error {
	r.reads.close()
	return r.client.Close()
}

// incrScript starts the window on the first hit only, so later hits never
// extend it.
var incrScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`)

func (r *Redis) Incr(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	res, err := incrScript.Run(ctx, r.client, []string{r.k(key)}, window.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, 0, fmt.Errorf("redis incr: %w", err)
	}
	return res[0], time.Duration(res[1]) * time.Millisecond, nil
}

// decrScript takes one back from a live counter without creating one or
// touching its expiry (DECR keeps the TTL).
var decrScript = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0`)

func (r *Redis) Decr(ctx context.Context, key string) error {
	if err := decrScript.Run(ctx, r.client, []string{r.k(key)}).Err(); err != nil && err != redis.Nil {
		return fmt.Errorf("redis decr: %w", err)
	}
	return nil
}

// ClearCounter deletes a counter, ending its window.
func (r *Redis) ClearCounter(ctx context.Context, key string) error {
	if err := r.client.Del(ctx, r.k(key)).Err(); err != nil {
		return fmt.Errorf("redis clear counter: %w", err)
	}
	return nil
}

func (r *Redis) Count(ctx context.Context, key string) (int64, time.Duration, error) {
	pipe := r.client.Pipeline()
	get := pipe.Get(ctx, r.k(key))
	ttl := pipe.PTTL(ctx, r.k(key))
	_, err := pipe.Exec(ctx)
	if err == redis.Nil {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("redis count: %w", err)
	}
	n, err := get.Int64()
	if err != nil {
		return 0, 0, fmt.Errorf("redis count: %w", err)
	}
	return n, ttl.Val(), nil
}

// setAddScript keeps the longest TTL any member asked for.
var setAddScript = redis.NewScript(`
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`)

func (r *Redis) SetAdd(ctx context.Context, key, member string, ttl time.Duration) error {
	if ttl <= 0 {
		ttl = 365 * 24 * time.Hour
	}
	if err := setAddScript.Run(ctx, r.client, []string{r.k(key)}, member, ttl.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("redis set add: %w", err)
	}
	return nil
}

func (r *Redis) SetRemove(ctx context.Context, key string, members ...string) error {
	if len(members) == 0 {
		return nil
	}
	args := make([]any, len(members))
	for i, m := range members {
		args[i] = m
	}
	return r.client.SRem(ctx, r.k(key), args...).Err()
}

func (r *Redis) SetMembers(ctx context.Context, key string) ([]string, error) {
	out, err := r.client.SMembers(ctx, r.k(key)).Result()
	if err != nil {
		return nil, fmt.Errorf("redis set members: %w", err)
	}
	return out, nil
}

func (r *Redis) Ping(ctx context.Context) error { return r.client.Ping(ctx).Err() }

// TTL is the time a key has left (0 when it has none or does not exist).
func (r *Redis) TTL(ctx context.Context, key string) (time.Duration, error) {
	d, err := r.client.PTTL(ctx, r.k(key)).Result()
	if err != nil || d < 0 {
		return 0, err
	}
	return d, nil
}
