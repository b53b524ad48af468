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
	// readSenders is how many batches may be on the wire at once.
	readSenders = 2
	// maxReadBatch bounds a batch, so one reply stays small.
	maxReadBatch = 64
)

type readCall struct {
	key  string
	done chan readReply // buffered: a sender never waits for a caller that gave up
}

type readReply struct {
	vals []string
	err  error
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
	b.start.Do(func() {
		for range readSenders {
			b.wg.Add(1)
			go b.send()
		}
	})
	select {
	case <-b.stop:
		return nil, redis.ErrClosed
	default:
	}
	call := &readCall{key: key, done: make(chan readReply, 1)}
	select {
	case b.queue <- call:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-b.stop:
		return nil, redis.ErrClosed
	}
	select {
	case r := <-call.done:
		return r.vals, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-b.stop:
		return nil, redis.ErrClosed
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
		vals, err := readSessionScript.Run(ctx, b.client, []string{batch[0].key}, b.prefix).StringSlice()
		batch[0].done <- readReply{vals, err}
		return
	}
	pipe := b.client.Pipeline()
	cmds := make([]*redis.Cmd, len(batch))
	for i, c := range batch {
		cmds[i] = readSessionScript.EvalSha(ctx, pipe, []string{c.key}, b.prefix)
	}
	_, _ = pipe.Exec(ctx)
	for i, c := range batch {
		vals, err := cmds[i].StringSlice()
		if err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
			// A Redis that restarted or was flushed has lost the script:
			// Run loads it again.
			vals, err = readSessionScript.Run(ctx, b.client, []string{c.key}, b.prefix).StringSlice()
		}
		c.done <- readReply{vals, err}
	}
}

func (b *readBatcher) close() {
	b.closed.Do(func() { close(b.stop) })
	b.wg.Wait()
}
