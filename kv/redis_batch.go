package kv

import (
	"context"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Session reads are what every signed-in request and every forward-auth
// question costs, so they are sent in batches: the reads that arrive while
// others are on the wire go out together as one pipeline, one write and
// one read on one connection for all of them, on Redis's side as on ours.
// Nothing waits for a batch to fill: a read that finds a sender free goes
// out at once, alone. Each read is still one round trip.

const (
	// readSenders is how many batches may be on the wire at once. One:
	// Redis answers them one after another anyway, and the reads that
	// wait for it form the next batch (with two, batches were smaller and
	// /auth/forward 5 to 10 % slower in task bench:http).
	readSenders = 1
	// maxReadBatch bounds a batch, so one reply stays small.
	maxReadBatch = 64
)

// readCall is one read: the session script for key, or, when mget is set,
// an MGET of those keys (a session whose principal this instance holds,
// with the versions that keep it true: redis_local.go).
type readCall struct {
	key  string
	mget []string
	done chan readReply // buffered: a sender never waits for a caller that gave up
}

// readReply is the script's values, or the MGET's with "" for a key that
// is absent and absent[i] saying so.
type readReply struct {
	vals   []string
	absent []bool
	err    error
}

// readBatcher runs the senders; they start on the first read and stop on
// Close.
type readBatcher struct {
	client *redis.Client
	prefix string
	queue  chan *readCall
	start  sync.Once
	stop   chan struct{}
	closed sync.Once
	wg     sync.WaitGroup
}

func newReadBatcher(client *redis.Client, prefix string) *readBatcher {
	return &readBatcher{client: client, prefix: prefix,
		queue: make(chan *readCall, readSenders*maxReadBatch), stop: make(chan struct{})}
}

// read runs the session read script for key, batched with others.
func (b *readBatcher) read(ctx context.Context, key string) ([]string, error) {
	r := b.do(ctx, &readCall{key: key})
	return r.vals, r.err
}

// mget reads keys, batched with others.
func (b *readBatcher) mget(ctx context.Context, keys []string) readReply {
	return b.do(ctx, &readCall{mget: keys})
}

func (b *readBatcher) do(ctx context.Context, call *readCall) readReply {
	b.start.Do(func() {
		for range readSenders {
			b.wg.Add(1)
			go b.send()
		}
	})
	select {
	case <-b.stop:
		return readReply{err: redis.ErrClosed}
	default:
	}
	call.done = make(chan readReply, 1)
	select {
	case b.queue <- call:
	case <-ctx.Done():
		return readReply{err: ctx.Err()}
	case <-b.stop:
		return readReply{err: redis.ErrClosed}
	}
	select {
	case r := <-call.done:
		return r
	case <-ctx.Done():
		return readReply{err: ctx.Err()}
	case <-b.stop:
		return readReply{err: redis.ErrClosed}
	}
}

func (b *readBatcher) send() {
	defer b.wg.Done()
	batch := make([]*readCall, 0, maxReadBatch)
	for {
		select {
		case c := <-b.queue:
			batch = append(batch[:0], c)
		case <-b.stop:
			return
		}
	more:
		for len(batch) < maxReadBatch {
			select {
			case c := <-b.queue:
				batch = append(batch, c)
			default:
				break more
			}
		}
		b.run(batch)
		clear(batch)
	}
}

// run sends one batch. The go-redis client's own timeouts bound it; a
// caller whose context ends stops waiting for it.
func (b *readBatcher) run(batch []*readCall) {
	ctx := context.Background()
	if len(batch) == 1 {
		c := batch[0]
		if c.mget != nil {
			c.done <- mgetReply(b.client.MGet(ctx, c.mget...))
			return
		}
		vals, err := readSessionScript.Run(ctx, b.client, []string{c.key}, b.prefix).StringSlice()
		c.done <- readReply{vals: vals, err: err}
		return
	}
	pipe := b.client.Pipeline()
	cmds := make([]redis.Cmder, len(batch))
	for i, c := range batch {
		if c.mget != nil {
			cmds[i] = pipe.MGet(ctx, c.mget...)
		} else {
			cmds[i] = readSessionScript.EvalSha(ctx, pipe, []string{c.key}, b.prefix)
		}
	}
	_, _ = pipe.Exec(ctx)
	for i, c := range batch {
		if m, ok := cmds[i].(*redis.SliceCmd); ok {
			c.done <- mgetReply(m)
			continue
		}
		vals, err := cmds[i].(*redis.Cmd).StringSlice()
		if err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
			// A Redis that restarted or was flushed has lost the script:
			// Run loads it again.
			vals, err = readSessionScript.Run(ctx, b.client, []string{c.key}, b.prefix).StringSlice()
		}
		c.done <- readReply{vals: vals, err: err}
	}
}

func mgetReply(cmd *redis.SliceCmd) readReply {
	res, err := cmd.Result()
	if err != nil {
		return readReply{err: err}
	}
	r := readReply{vals: make([]string, len(res)), absent: make([]bool, len(res))}
	for i, v := range res {
		s, ok := v.(string)
		r.vals[i], r.absent[i] = s, !ok
	}
	return r
}

func (b *readBatcher) close() {
	b.closed.Do(func() { close(b.stop) })
	b.wg.Wait()
}
