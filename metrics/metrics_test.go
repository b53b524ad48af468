package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	r, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 {
		t.Fatalf("scrape: %d\n%s", r.StatusCode, b)
	}
	return string(b)
}

// has reports whether the exposition has a sample line starting with
// series (name and labels) whose value is want.
func has(text, series, want string) bool {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok && rest == want {
			return true
		}
	}
	return false
}

func TestRequestLabels(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{})
	m.Request("/password-reset/:token", "GET", 200, 3*time.Millisecond)
	m.Request("/password-reset/:token", "GET", 200, time.Millisecond)
	m.Request("/password-reset/:token", "POST", 303, time.Millisecond)
	m.Request("unmatched", "PROPFIND", 404, time.Millisecond)
	m.Request("/", "BREW", 1000, time.Millisecond)
	out := scrape(t, m)
	for _, want := range []struct{ series, value string }{
		{`gatehouse_http_requests_total{method="GET",route="/password-reset/:token",status="200"}`, "2"},
		{`gatehouse_http_requests_total{method="POST",route="/password-reset/:token",status="303"}`, "1"},
		// Methods outside the standard ones share one label value.
		{`gatehouse_http_requests_total{method="other",route="unmatched",status="404"}`, "1"},
		{`gatehouse_http_requests_total{method="other",route="/",status="unknown"}`, "1"},
		{`gatehouse_http_request_duration_seconds_count{route="/password-reset/:token"}`, "3"},
		{`gatehouse_http_request_duration_seconds_bucket{route="/password-reset/:token",le="0.0025"}`, "2"},
	} {
		if !has(out, want.series, want.value) {
			t.Errorf("no %s %s in\n%s", want.series, want.value, grep(out, "gatehouse_http"))
		}
	}
	if strings.Contains(out, "PROPFIND") || strings.Contains(out, "BREW") {
		t.Error("a client's method became a label value")
	}
}

func TestEventsAndKnownLabels(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{
		SignInResults: []string{"success", "failure"},
		Limits:        []string{"login_ip", "reset_ip"},
		Backends:      []string{"database", "session store"},
	})
	m.SignIn("failure")
	m.SignIn("failure")
	m.RateLimitRefused("reset_ip")
	m.BackendError("session store")
	m.HashWait(0)
	m.HashWait(30 * time.Millisecond)
	out := scrape(t, m)
	for _, want := range []struct{ series, value string }{
		// Known values are there from the start, at 0.
		{`gatehouse_signins_total{result="success"}`, "0"},
		{`gatehouse_signins_total{result="failure"}`, "2"},
		{`gatehouse_ratelimit_refusals_total{limit="login_ip"}`, "0"},
		{`gatehouse_ratelimit_refusals_total{limit="reset_ip"}`, "1"},
		{`gatehouse_backend_errors_total{backend="database"}`, "0"},
		{`gatehouse_backend_errors_total{backend="session store"}`, "1"},
		{`gatehouse_password_hash_wait_seconds_bucket{le="0"}`, "1"},
		{`gatehouse_password_hash_wait_seconds_count`, "2"},
	} {
		if !has(out, want.series, want.value) {
			t.Errorf("no %s %s in\n%s", want.series, want.value, grep(out, "gatehouse_"))
		}
	}
	// Go's runtime and the process.
	for _, name := range []string{"go_goroutines ", "go_memstats_alloc_bytes ", "process_resident_memory_bytes "} {
		if !strings.Contains(out, "\n"+name) {
			t.Errorf("no %s", name)
		}
	}
	if strings.Contains(out, "gatehouse_outbox_pending") {
		t.Error("outbox gauge without an outbox")
	}
}

// The outbox is counted at each scrape; a count that fails or outlives
// the scrape's bound is NaN, not a hung scrape.
func TestOutboxPendingAtScrape(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	var fail atomic.Bool
	n.Store(3)
	m := metrics.New(metrics.Options{Log: slog.New(slog.DiscardHandler), OutboxPending: func(ctx context.Context) (int64, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("the count has no deadline")
		}
		if fail.Load() {
			return 0, errors.New("database down")
		}
		return n.Load(), nil
	}})
	if out := scrape(t, m); !has(out, "gatehouse_outbox_pending", "3") {
		t.Errorf("outbox gauge:\n%s", grep(out, "outbox"))
	}
	n.Store(5)
	if out := scrape(t, m); !has(out, "gatehouse_outbox_pending", "5") {
		t.Errorf("not read at scrape time:\n%s", grep(out, "outbox"))
	}
	fail.Store(true)
	if out := scrape(t, m); !has(out, "gatehouse_outbox_pending", "NaN") {
		t.Errorf("failed count:\n%s", grep(out, "outbox"))
	}
}

// Once a route, method and status have been seen, recording another
// request allocates nothing.
func TestRequestDoesNotAllocate(t *testing.T) {
	m := metrics.New(metrics.Options{})
	m.Request("/login", "POST", 303, time.Millisecond)
	if n := testing.AllocsPerRun(100, func() { m.Request("/login", "POST", 303, time.Millisecond) }); n != 0 {
		t.Errorf("%v allocations per request", n)
	}
}

func BenchmarkRequest(b *testing.B) {
	m := metrics.New(metrics.Options{})
	routes := []string{"/login", "/account", "/password-reset/:token", "unmatched"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.Request(routes[i%len(routes)], "GET", 200, time.Millisecond)
			i++
		}
	})
}

func grep(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
