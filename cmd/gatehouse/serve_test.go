package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// serve migrates, serves, and on SIGTERM (a cancelled context) lets the
// request in flight finish before it returns.
func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	env := map[string]string{"GATEHOUSE_DATABASE_URL": testenv.DatabaseURL(t), "GATEHOUSE_ADDR": addr}
	if testenv.Redis() {
		env["GATEHOUSE_REDIS_URL"] = "redis://127.0.0.1:6379/0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- runCmdCtx(ctx, t, env, "", "serve") }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := http.Get("http://" + addr + "/readyz")
		if err == nil && r.StatusCode == 200 {
			r.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Start a request and leave its body half sent.
	conn, err := net.Dial("tcp", addr)
	testenv.Must(t, err)
	defer conn.Close()
	body := "field=username&username=alice"
	fmt.Fprintf(conn, "POST /register/validate HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:10])
	time.Sleep(100 * time.Millisecond)

	cancel()
	time.Sleep(200 * time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("serve returned while a request was in flight (err %v)", r.err)
	default:
	}
	io.WriteString(conn, body[10:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("request in flight was cut off: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode == 0 {
		t.Fatal("no status")
	}
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("serve returned %v\n%s", r.err, r.stderr)
		}
		if !strings.Contains(r.stderr, "stopped") {
			t.Errorf("no stop log:\n%s", r.stderr)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("serve did not return after shutdown")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}
}

// A metrics address another process holds stops serve at start, with one
// line naming the variable, and nothing is left listening.
func TestServeMetricsAddressTaken(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err)
	defer taken.Close()
	addr := freeAddr(t)
	env := map[string]string{"GATEHOUSE_DATABASE_URL": testenv.DatabaseURL(t), "GATEHOUSE_ADDR": addr,
		"GATEHOUSE_METRICS_ADDR": taken.Addr().String()}
	if testenv.Redis() {
		env["GATEHOUSE_REDIS_URL"] = "redis://127.0.0.1:6379/0"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := runCmdCtx(ctx, t, env, "", "serve")
	if r.err == nil || exitCode(r.err) == 0 || ctx.Err() != nil {
		t.Fatalf("serve with a taken metrics address: %v (ctx %v)", r.err, ctx.Err())
	}
	msg := r.err.Error()
	if !strings.Contains(msg, "GATEHOUSE_METRICS_ADDR") || !strings.Contains(msg, taken.Addr().String()) || strings.Contains(msg, "\n") {
		t.Fatalf("error %q: want one line naming GATEHOUSE_METRICS_ADDR and the address", msg)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("the public address was served anyway")
	}
}
