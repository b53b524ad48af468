package gatehouse_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// scrapeMetrics reads /metrics at addr.
func scrapeMetrics(t *testing.T, addr string) string {
	t.Helper()
	r, err := http.Get("http://" + addr + "/metrics")
	testenv.Must(t, err)
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	testenv.Must(t, err)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %q\n%s", r.StatusCode, r.Header.Get("Content-Type"), b)
	}
	return string(b)
}

// sample is the value of one series (name and labels as Prometheus
// writes them, labels sorted), or -1 when it is absent.
func sample(text, series string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				return -1
			}
			return v
		}
	}
	return -1
}

// Gatehouse alone (App, as the binary serves it) with
// GATEHOUSE_METRICS_ADDR: the metrics of CONTRACT §13 on that address
// only, route labels from route patterns, and the listener gone after
// Close.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	t.Parallel()
	cfg, prefix := testenv.AppConfig(t, map[string]string{"GATEHOUSE_RATE_LIMITS": "login_name=2/15m"})
	// Port 0 is refused in GATEHOUSE_METRICS_ADDR; a program may pass it.
	cfg.MetricsAddr = "127.0.0.1:0"
	g, err := gatehouse.New(context.Background(), cfg, gatehouse.WithLogger(testenv.Logger(t)), gatehouse.WithKeyPrefix(prefix))
	testenv.Must(t, err)
	t.Cleanup(func() { _ = g.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err)
	go func() { _ = g.App().Listener(g.Listener(ln), fiber.ListenConfig{DisableStartupMessage: true}) }()
	t.Cleanup(func() { _ = g.App().ShutdownWithTimeout(5 * time.Second) })
	env := &testenv.Env{URL: "http://" + ln.Addr().String(), DB: g.DB(),
		Hasher: auth.NewHasher(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)}
	maddr := g.MetricsAddr()
	if maddr == "" || maddr == ln.Addr().String() {
		t.Fatalf("metrics address %q", maddr)
	}

	env.CreateUser(t, "mira", "mira@example.com", "violet-harbour-42")
	env.Client(t).Login("mira", "violet-harbour-42")
	c := env.Client(t)
	if r := c.Post("/login", url.Values{"login": {"mira"}, "password": {"wrong-password-1"}}); r.StatusCode != 422 {
		t.Fatalf("wrong password: %d", r.StatusCode)
	}
	for i, want := range []int{422, 422, 429} {
		if r := c.Post("/login", url.Values{"login": {"ghost"}, "password": {"wrong-password-1"}}); r.StatusCode != want {
			t.Fatalf("ghost attempt %d: %d, want %d", i+1, r.StatusCode, want)
		}
	}
	if r := c.PostRaw("/login", "login=x&password=y"); r.StatusCode != 403 {
		t.Fatalf("no CSRF token: %d", r.StatusCode)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	scan := "/scan-" + hex.EncodeToString(b[:]) + "/wp-login.php"
	if r := c.Get(scan); r.StatusCode != 404 {
		t.Fatalf("random path: %d", r.StatusCode)
	}
	if r := c.Get("/static/app.css"); r.StatusCode != 200 {
		t.Fatalf("static: %d", r.StatusCode)
	}
	token := "Zq" + hex.EncodeToString(b[:])
	c.Get("/password-reset/" + token)
	// Never on the public address.
	if r := c.Get("/metrics"); r.StatusCode != 404 || strings.Contains(r.Body, "gatehouse_") {
		t.Fatalf("public /metrics: %d", r.StatusCode)
	}

	out := scrapeMetrics(t, maddr)
	for _, want := range []struct {
		series string
		value  float64
	}{
		{`gatehouse_signins_total{result="success"}`, 1},
		{`gatehouse_signins_total{result="failure"}`, 3},
		{`gatehouse_signins_total{result="rate_limited"}`, 1},
		{`gatehouse_signins_total{result="busy"}`, 0},
		{`gatehouse_ratelimit_refusals_total{limit="login_name"}`, 1},
		{`gatehouse_ratelimit_refusals_total{limit="reset_address"}`, 0},
		{`gatehouse_http_requests_total{method="POST",route="/login",status="303"}`, 1},
		{`gatehouse_http_requests_total{method="POST",route="/login",status="422"}`, 3},
		{`gatehouse_http_requests_total{method="POST",route="/login",status="429"}`, 1},
		// Refused by the CSRF check, before any route ran.
		{`gatehouse_http_requests_total{method="POST",route="middleware",status="403"}`, 1},
		{`gatehouse_http_requests_total{method="GET",route="unmatched",status="404"}`, 2},
		{`gatehouse_http_request_duration_seconds_count{route="/password-reset/:token"}`, 1},
		// Middleware serving content of its own is labelled by its prefix.
		{`gatehouse_http_requests_total{method="GET",route="/static",status="200"}`, 1},
		{`gatehouse_outbox_pending`, 0},
		{`gatehouse_backend_errors_total{backend="database"}`, 0},
		{`gatehouse_backend_errors_total{backend="session store"}`, 0},
	} {
		if got := sample(out, want.series); got != want.value {
			t.Errorf("%s = %v, want %v", want.series, got, want.value)
		}
	}
	// Each of the four checked sign-ins waited (or not) for a hashing slot.
	if n := sample(out, "gatehouse_password_hash_wait_seconds_count"); n < 4 {
		t.Errorf("hash waits: %v", n)
	}
	if sample(out, "go_goroutines") <= 0 || sample(out, "process_resident_memory_bytes") <= 0 {
		t.Error("no Go runtime or process metrics")
	}
	// Raw paths are never label values.
	for _, raw := range []string{scan, "wp-login", token, "/metrics"} {
		if strings.Contains(out, raw) {
			t.Errorf("%q became a label value", raw)
		}
	}
	if !strings.Contains(out, `route="/password-reset/:token"`) {
		t.Error("no route pattern label")
	}

	testenv.Must(t, g.App().ShutdownWithTimeout(5*time.Second))
	testenv.Must(t, g.Close())
	if conn, err := net.DialTimeout("tcp", maddr, time.Second); err == nil {
		conn.Close()
		t.Fatal("metrics still served after Close")
	}
}

// Without GATEHOUSE_METRICS_ADDR nothing listens for metrics.
func TestNoMetricsByDefault(t *testing.T) {
	t.Parallel()
	if addr := open(t).MetricsAddr(); addr != "" {
		t.Fatalf("metrics at %q", addr)
	}
}

// A taken metrics address stops New with an error naming the variable.
func TestMetricsAddressTaken(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err)
	defer taken.Close()
	cfg, prefix := testenv.AppConfig(t, map[string]string{"GATEHOUSE_METRICS_ADDR": taken.Addr().String()})
	g, err := gatehouse.New(context.Background(), cfg, gatehouse.WithLogger(testenv.Logger(t)), gatehouse.WithKeyPrefix(prefix))
	if err == nil {
		g.Close()
		t.Fatal("New served metrics on a taken address")
	}
	if !strings.Contains(err.Error(), "GATEHOUSE_METRICS_ADDR") {
		t.Fatalf("error %q does not name the variable", err)
	}
}

// A program that mounts Gatehouse gets the metrics too, its own routes
// labelled by their patterns.
func TestMetricsOfAMountingApp(t *testing.T) {
	t.Parallel()
	cfg, prefix := testenv.AppConfig(t, nil)
	cfg.MetricsAddr = "127.0.0.1:0"
	g, err := gatehouse.New(context.Background(), cfg, gatehouse.WithLogger(testenv.Logger(t)), gatehouse.WithKeyPrefix(prefix))
	testenv.Must(t, err)
	t.Cleanup(func() { _ = g.Close() })
	env := start(t, g)
	c := env.Client(t)
	c.Get("/whoami")
	c.Get("/boom")
	if r := c.Get("/nothing-here"); r.StatusCode != 404 {
		t.Fatalf("unknown path: %d", r.StatusCode)
	}
	out := scrapeMetrics(t, g.MetricsAddr())
	for _, series := range []string{
		`gatehouse_http_requests_total{method="GET",route="/whoami",status="200"}`,
		`gatehouse_http_requests_total{method="GET",route="/boom",status="500"}`,
		`gatehouse_http_requests_total{method="GET",route="unmatched",status="404"}`,
	} {
		if got := sample(out, series); got != 1 {
			t.Errorf("%s = %v, want 1", series, got)
		}
	}
	if strings.Contains(out, "nothing-here") {
		t.Error("a raw path became a label value")
	}
}
