package handlers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
)

// A request whose store connection was refused just before the store came
// back finds every ping answered. The chaos run caught that as a 500 on
// POST /register at the end of a Redis outage; it is the store's 503.
func TestDeadBackendCountsAFailureAsTheStoreCameBack(t *testing.T) {
	var storeUp atomic.Bool
	s := &Server{Deps: Deps{Ready: []Check{
		{Name: "database", Ping: func(context.Context) error { return nil }},
		{Name: "session store", Ping: func(context.Context) error {
			if storeUp.Load() {
				return nil
			}
			return errors.New("dial tcp: connection refused")
		}},
	}}}

	// Nothing failed yet: a refused connection is put on the first backend.
	refused := fmt.Errorf("rate limit rl:signup:ip:10.0.0.1: redis incr: %w",
		&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")})
	storeUp.Store(true)
	if got := s.deadBackend(refused); got != "database" {
		t.Fatalf("with no outage seen, a refused connection is %q, want database", got)
	}

	storeUp.Store(false)
	if got := s.deadBackend(errors.New("anything")); got != "session store" {
		t.Fatalf("store down: %q, want session store", got)
	}
	storeUp.Store(true)
	if got := s.deadBackend(refused); got != "session store" {
		t.Fatalf("store back, request failed on its connection: %q, want session store", got)
	}
	if got := s.deadBackend(errors.New("template: no such field")); got != "" {
		t.Fatalf("a bug with every backend answering is %q, want none (a 500)", got)
	}
	if got := s.deadBackend(context.Canceled); got != "" {
		t.Fatalf("a cancelled request is %q, want none", got)
	}
}
