// Package metrics is Gatehouse's Prometheus adapter (CONTRACT §13): the
// counters and histograms of requests, sign-ins, rate-limit refusals,
// password-hashing waits and backend errors, the outbox gauge, and Go's
// runtime and process metrics, in a registry of its own (never the global
// one, so two Gatehouses in one program do not collide). Nothing else
// imports Prometheus: the other layers report through plain funcs and
// small interfaces that the root package wires to a Metrics.
package metrics

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options are what a Metrics reads besides the events reported to it.
type Options struct {
	// OutboxPending counts the mails waiting in the outbox; it runs at
	// scrape time, within ScrapeTimeout. Nil: the gauge is not exported.
	OutboxPending func(ctx context.Context) (int64, error)
	// SignInResults and Limits are the label values known in advance
	// (account's sign-in results, GATEHOUSE_RATE_LIMITS' names): they are
	// exported at 0 from the start, so a rate() over them has a baseline.
	SignInResults []string
	Limits        []string
	// Backends are the backend names of /readyz, exported at 0 likewise.
	Backends []string
	Log      *slog.Logger
}

// ScrapeTimeout bounds the outbox count of one scrape: a slow database
// makes the gauge NaN rather than the scrape hang.
const ScrapeTimeout = time.Second

// Metrics holds Gatehouse's metrics. Its methods are safe for concurrent
// use and allocate nothing once a label value has been seen.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	signins  *prometheus.CounterVec
	refusals *prometheus.CounterVec
	hashWait prometheus.Histogram
	backends *prometheus.CounterVec

	// routes maps a route label to its pre-resolved children; replaced
	// whole (copy on write) when a label is first seen, so readers take
	// no lock.
	routes   atomic.Pointer[map[string]*routeStats]
	routesMu sync.Mutex
	// known children of the small fixed sets, resolved at start.
	signinKids  map[string]prometheus.Counter
	refusalKids map[string]prometheus.Counter
	backendKids map[string]prometheus.Counter
}

// Buckets of the request duration: from half a millisecond (a health
// check) to the 2-second request bound and beyond.
var durationBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Buckets of the wait for a hashing slot: zero when the server is idle,
// up to the request's 2-second bound in a flood of sign-ins.
var hashWaitBuckets = []float64{0, .001, .005, .01, .025, .05, .1, .25, .5, 1, 2, 5}

// New builds the metrics and registers them, with Go's runtime and
// process collectors, in a registry of their own.
func New(o Options) *Metrics {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		log: o.Log,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gatehouse_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: durationBuckets,
		}, []string{"route"}),
		signins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_signins_total",
			Help: "Sign-in attempts by result.",
		}, []string{"result"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_ratelimit_refusals_total",
			Help: "Attempts refused by a rate limit, by limit (the names of GATEHOUSE_RATE_LIMITS).",
		}, []string{"limit"}),
		hashWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gatehouse_password_hash_wait_seconds",
			Help:    "Time a password hash or check waited for a free hashing slot.",
			Buckets: hashWaitBuckets,
		}),
		backends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_backend_errors_total",
			Help: "Requests and readiness checks that found a backend not answering, by backend.",
		}, []string{"backend"}),
	}
	empty := map[string]*routeStats{}
	m.routes.Store(&empty)
	m.reg.MustRegister(m.requests, m.duration, m.signins, m.refusals, m.hashWait, m.backends,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if o.OutboxPending != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gatehouse_outbox_pending",
			Help: "Mails in the outbox not yet delivered nor given up (read at scrape time).",
		}, m.outboxPending(o.OutboxPending)))
	}
	m.signinKids = children(m.signins, o.SignInResults)
	m.refusalKids = children(m.refusals, o.Limits)
	m.backendKids = children(m.backends, o.Backends)
	return m
}

func children(v *prometheus.CounterVec, values []string) map[string]prometheus.Counter {
	out := make(map[string]prometheus.Counter, len(values))
	for _, s := range values {
		out[s] = v.WithLabelValues(s)
	}
	return out
}

func child(v *prometheus.CounterVec, known map[string]prometheus.Counter, value string) prometheus.Counter {
	if c, ok := known[value]; ok {
		return c
	}
	// Label values come from the code (result and limit names), never from
	// a client, so the set stays small even off the known list.
	return v.WithLabelValues(value)
}

func (m *Metrics) outboxPending(count func(context.Context) (int64, error)) func() float64 {
	return func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
		defer cancel()
		n, err := count(ctx)
		if err != nil {
			m.log.Warn("metrics: outbox count", "err", err)
			return math.NaN()
		}
		return float64(n)
	}
}

// Handler serves the registry in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:            m.reg, // counts its own failed scrapes
		ErrorHandling:       promhttp.ContinueOnError,
		ErrorLog:            slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
}

// Registry is the registry the metrics live in, for a program that adds
// its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// SignIn counts a sign-in attempt by its result.
func (m *Metrics) SignIn(result string) { child(m.signins, m.signinKids, result).Inc() }

// RateLimitRefused counts an attempt refused by the named limit.
func (m *Metrics) RateLimitRefused(limit string) { child(m.refusals, m.refusalKids, limit).Inc() }

// BackendError counts a backend found not answering.
func (m *Metrics) BackendError(backend string) { child(m.backends, m.backendKids, backend).Inc() }

// HashWait records how long a password hash waited for a slot.
func (m *Metrics) HashWait(d time.Duration) { m.hashWait.Observe(d.Seconds()) }
