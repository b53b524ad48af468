package handlers_test

import (
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/valyala/fasthttp"

	gatehouse "github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/kv"
	"github.com/gatehouse/gatehouse/metrics"
)

// A dead backend that turns a request or a readiness check into a 503 is
// counted under its /readyz name.
func TestBackendErrorsAreCounted(t *testing.T) {
	t.Parallel()
	deadDB := bun.NewDB(mustOpenPgx(t, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=1"), pgdialect.New())
	deadRedis, err := kv.NewRedis("redis://127.0.0.1:1/0", "x:")
	testenv.Must(t, err)
	for _, tc := range []struct {
		dead, alive string
		deps        func(*gatehouse.Parts)
	}{
		{"database", "session store", func(d *gatehouse.Parts) { d.DB = deadDB }},
		{"session store", "database", func(d *gatehouse.Parts) { d.Store = deadRedis }},
	} {
		var m *metrics.Metrics
		env := testenv.New(t, testenv.Options{Deps: func(d *gatehouse.Parts) {
			tc.deps(d)
			m = gatehouse.NewMetrics(d.DB, d.Log)
			d.Metrics = m
		}})
		c := env.Client(t)
		if r := c.Get("/readyz"); r.StatusCode != 503 {
			t.Fatalf("%s down: readyz %d", tc.dead, r.StatusCode)
		}
		c.Get("/login")
		if r := c.Post("/login", url.Values{"login": {"nobody"}, "password": {"a long secret phrase"}}); r.StatusCode != 503 {
			t.Fatalf("%s down: POST /login %d", tc.dead, r.StatusCode)
		}
		srv := httptest.NewServer(m.Handler())
		r, err := srv.Client().Get(srv.URL)
		testenv.Must(t, err)
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		srv.Close()
		out := string(b)
		if n := value(out, `gatehouse_backend_errors_total{backend="`+tc.dead+`"}`); n < 2 {
			t.Errorf("%s down: counted %v times\n%s", tc.dead, n, out)
		}
		if n := value(out, `gatehouse_backend_errors_total{backend="`+tc.alive+`"}`); n != 0 {
			t.Errorf("%s down: %s counted %v times", tc.dead, tc.alive, n)
		}
		if !strings.Contains(out, `gatehouse_http_requests_total{method="POST",route="/login",status="503"} 1`) &&
			!strings.Contains(out, `gatehouse_http_requests_total{method="POST",route="middleware",status="503"} 1`) {
			t.Errorf("%s down: the 503 was not counted\n%s", tc.dead, grepLines(out, "gatehouse_http_requests_total"))
		}
	}
}

// value is the value of one series in Prometheus text, -1 when absent.
func value(text, series string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			if v, err := strconv.ParseFloat(rest, 64); err == nil {
				return v
			}
		}
	}
	return -1
}

func grepLines(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// BenchmarkMetricsMiddleware is the in-process cost of a request (no
// network) with metrics off and on: the difference is what the metrics
// middleware adds to each request.
func BenchmarkMetricsMiddleware(b *testing.B) {
	for _, path := range []string{"/healthz", "/login", "/password-reset/Zq0123456789abcdef"} {
		for _, on := range []bool{false, true} {
			name := path + "/metrics-off"
			if on {
				name = path + "/metrics-on"
			}
			b.Run(name, func(b *testing.B) {
				env := testenv.New(b, testenv.Options{Deps: func(d *gatehouse.Parts) {
					d.Log = slog.New(slog.DiscardHandler)
					if on {
						d.Metrics = gatehouse.NewMetrics(d.DB, d.Log)
					}
				}})
				h := env.Server.App().Handler()
				var req fasthttp.Request
				req.Header.SetMethod("GET")
				req.SetRequestURI(path)
				var ctx fasthttp.RequestCtx
				ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1234}, nil)
				b.ReportAllocs()
				for b.Loop() {
					ctx.Response.Reset()
					h(&ctx)
				}
			})
		}
	}
}
