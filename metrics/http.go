package metrics

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Methods are the method label values; any other method counts as
// "other", so a client cannot mint label values.
var methods = [...]string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "other"}

func methodIndex(m string) uint8 {
	for i, v := range methods[:len(methods)-1] {
		if v == m {
			return uint8(i)
		}
	}
	return uint8(len(methods) - 1)
}

// routeStats are one route label's children: its duration histogram and
// its counters by method and status, found without a lock or an
// allocation once seen (a route answers a handful of combinations).
type routeStats struct {
	label    string
	duration prometheus.Observer
	counts   atomic.Pointer[[]statusCount]
}

type statusCount struct {
	method  uint8
	status  uint16
	counter prometheus.Counter
}

// Request records one answered request. route must be a route pattern or
// another value from a fixed set, never a raw path: each value is a
// series of its own.
func (m *Metrics) Request(route, method string, status int, took time.Duration) {
	rs := m.route(route)
	rs.duration.Observe(took.Seconds())
	rs.counter(m, methodIndex(method), clampStatus(status)).Inc()
}

// clampStatus keeps the status label to three digits.
func clampStatus(s int) uint16 {
	if s < 100 || s > 999 {
		return 0
	}
	return uint16(s)
}

func (m *Metrics) route(label string) *routeStats {
	if rs, ok := (*m.routes.Load())[label]; ok {
		return rs
	}
	m.routesMu.Lock()
	defer m.routesMu.Unlock()
	old := *m.routes.Load()
	if rs, ok := old[label]; ok {
		return rs
	}
	rs := &routeStats{label: label, duration: m.duration.WithLabelValues(label)}
	rs.counts.Store(&[]statusCount{})
	next := make(map[string]*routeStats, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[label] = rs
	m.routes.Store(&next)
	return rs
}

func (rs *routeStats) counter(m *Metrics, method uint8, status uint16) prometheus.Counter {
	for _, sc := range *rs.counts.Load() {
		if sc.method == method && sc.status == status {
			return sc.counter
		}
	}
	m.routesMu.Lock()
	defer m.routesMu.Unlock()
	old := *rs.counts.Load()
	for _, sc := range old {
		if sc.method == method && sc.status == status {
			return sc.counter
		}
	}
	st := "unknown"
	if status != 0 {
		st = strconv.Itoa(int(status))
	}
	sc := statusCount{method: method, status: status,
		counter: m.requests.WithLabelValues(rs.label, methods[method], st)}
	next := append(append(make([]statusCount, 0, len(old)+1), old...), sc)
	rs.counts.Store(&next)
	return sc.counter
}
