package gatehouse

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// accepted hands on what ln accepts.
func accepted(ln net.Listener) <-chan net.Conn {
	got := make(chan net.Conn)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(got)
				return
			}
			got <- c
		}
	}()
	return got
}

// dialMany dials ln from 127.0.0.1 n times and counts the connections the
// listener handed on (kept) and those it closed.
func dialMany(t *testing.T, ln net.Listener, got <-chan net.Conn, n int) (kept []net.Conn, closed int) {
	t.Helper()
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		select {
		case s := <-got:
			kept = append(kept, s)
		case <-waitClosed(c):
			closed++
		}
	}
	return kept, closed
}

// waitClosed is closed when the server closes c.
func waitClosed(c net.Conn) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.Copy(io.Discard, c)
		close(done)
	}()
	return done
}

func TestListenerCapsOneAddressButNotTrustedProxies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		proxies string
		kept    int
	}{
		{"client address", "", 3},
		{"trusted proxy", "127.0.0.1", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			proxies, err := auth.ParseTrustedProxies(tc.proxies)
			if err != nil {
				t.Fatal(err)
			}
			base, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ln := newLimitListener(base, 3, proxies)
			defer ln.Close()
			got := accepted(ln)
			kept, closed := dialMany(t, ln, got, 5)
			if len(kept) != tc.kept || closed != 5-tc.kept {
				t.Fatalf("5 connections: %d kept, %d closed; want %d kept", len(kept), closed, tc.kept)
			}
			if tc.proxies != "" {
				return
			}
			// A closed connection gives its slot back.
			kept[0].Close()
			kept[0].Close() // twice: released once
			if again, _ := dialMany(t, ln, got, 2); len(again) != 1 {
				t.Errorf("after one closed: %d of 2 new connections kept, want 1", len(again))
			}
		})
	}
}
