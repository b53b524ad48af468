package main

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The command serves until its context ends (SIGTERM), then returns.
func TestRunServesAndStops(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	cfg := map[string]string{"GATEHOUSE_ADDR": addr, "GATEHOUSE_DATABASE_URL": testenv.DatabaseURL(t)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, func(k string) string { return cfg[k] }) }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := http.Get("http://" + addr + "/notes")
		if err == nil {
			r.Body.Close()
			// Redirects are followed: anonymous, the sign-in page.
			if r.StatusCode != http.StatusOK || r.Request.URL.Path != "/login" {
				t.Fatalf("GET /notes: %d at %s", r.StatusCode, r.Request.URL)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not serving: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		testenv.Must(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}
