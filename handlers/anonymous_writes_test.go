package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/kv"
	"github.com/gatehouse/gatehouse/sessions"
)

// writeCounter is the session store with every write counted (the reads
// pass through): a create-then-delete leaves no entry behind, so counting
// entries alone would miss it.
type writeCounter struct {
	sessions.Store
	n atomic.Int64
}

func (w *writeCounter) count() { w.n.Add(1) }

func (w *writeCounter) Set(k string, v []byte, exp time.Duration) error {
	w.count()
	return w.Store.Set(k, v, exp)
}

func (w *writeCounter) SetWithContext(ctx context.Context, k string, v []byte, exp time.Duration) error {
	w.count()
	return w.Store.SetWithContext(ctx, k, v, exp)
}

func (w *writeCounter) Delete(k string) error { w.count(); return w.Store.Delete(k) }

func (w *writeCounter) DeleteWithContext(ctx context.Context, k string) error {
	w.count()
	return w.Store.DeleteWithContext(ctx, k)
}

func (w *writeCounter) Incr(ctx context.Context, k string, window time.Duration) (int64, time.Duration, error) {
	w.count()
	return w.Store.Incr(ctx, k, window)
}

func (w *writeCounter) Decr(ctx context.Context, k string) error {
	w.count()
	return w.Store.Decr(ctx, k)
}

func (w *writeCounter) ClearCounter(ctx context.Context, k string) error {
	w.count()
	return w.Store.ClearCounter(ctx, k)
}

func (w *writeCounter) SetAdd(ctx context.Context, k, m string, ttl time.Duration) error {
	w.count()
	return w.Store.SetAdd(ctx, k, m, ttl)
}

func (w *writeCounter) SetRemove(ctx context.Context, k string, ms ...string) error {
	w.count()
	return w.Store.SetRemove(ctx, k, ms...)
}

func (w *writeCounter) WriteSession(ctx context.Context, id string, uid int64, data []byte, ttl time.Duration) error {
	w.count()
	return w.Store.WriteSession(ctx, id, uid, data, ttl)
}

func (w *writeCounter) FillPrincipal(ctx context.Context, uid int64, tag kv.Tag, p []byte, ttl time.Duration) (bool, error) {
	w.count()
	return w.Store.FillPrincipal(ctx, uid, tag, p, ttl)
}

func (w *writeCounter) Bump(ctx context.Context, users, groups []int64, ttl time.Duration) error {
	w.count()
	return w.Store.Bump(ctx, users, groups, ttl)
}

// Issue 10: an anonymous GET — the sign-in page above all, where every
// anonymous visitor of a protected app lands — makes no write to the
// session store, counted call by call: from a new visitor, a returning one
// (CSRF cookie), whole page or htmx.
func TestAnonymousGETsMakeNoStoreWrite(t *testing.T) {
	t.Parallel()
	var w *writeCounter
	env := testenv.New(t, testenv.Options{Deps: func(p *gatehouse.Parts) {
		w = &writeCounter{Store: p.Store.(sessions.Store)}
		p.Store = w
	}})
	returning := env.Client(t)
	returning.Get("/login")
	before := w.n.Load()
	for _, path := range []string{"/login", "/login?next=%2Faccount", "/", "/register", "/password-reset", "/healthz"} {
		for _, c := range []*testenv.Client{env.Client(t), returning} {
			for _, h := range [][]string{nil, {"HX-Request", "true"}} {
				if r := c.Get(path, h...); r.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %d", path, r.StatusCode)
				}
			}
		}
	}
	// A client that keeps sending a well-formed id nobody holds (a
	// browser forgets it after the first answer clears it) costs reads
	// only: there is nothing to delete.
	stranger := env.Client(t)
	for range 5 {
		stranger.SetCookie(sessions.Cookie, strings.Repeat("A", 42)+"E")
		if r := stranger.Get("/login"); r.StatusCode != http.StatusOK {
			t.Fatalf("GET /login with an unknown session id: %d", r.StatusCode)
		}
	}
	if n := w.n.Load() - before; n != 0 {
		t.Fatalf("anonymous GETs made %d writes to the session store", n)
	}
	// The counter sees writes: a sign-in makes some.
	env.CreateUser(t, "wanda", "wanda@example.com", pw)
	returning.Login("wanda", pw)
	if w.n.Load() == before {
		t.Fatal("a sign-in counted no write: the counter is not in the path")
	}
}
