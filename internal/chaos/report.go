package chaos

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// sample is one request of a virtual user.
type sample struct {
	route      string
	start, end time.Time
	status     int    // 0: no answer (err)
	err        string // transport error
	detail     string // the heading of a 503 page
	why        string // set when a working server should not have answered so
	lostUser   string // set when the answer showed a signed-in user's session gone
}

// outage is a backend cut off from down to up; instance restarts have
// down = SIGTERM, up = started again.
type outage struct {
	name         string
	sessionStore bool // sessions live there
	restart      bool
	down, up     time.Time
	// readyBack: from up until every instance's /readyz answered 200.
	readyBack time.Duration
	// stopTook, exit: the graceful stop of a restart.
	stopTook time.Duration
	exit     string
}

// recorder collects what the virtual users saw.
type recorder struct {
	mu       sync.Mutex
	samples  []*sample
	accounts []*account
}

func (r *recorder) add(s *sample) {
	r.mu.Lock()
	r.samples = append(r.samples, s)
	r.mu.Unlock()
}

func (r *recorder) mark(s *sample, why string) {
	r.mu.Lock()
	s.why = why
	r.mu.Unlock()
}

func (r *recorder) lost(s *sample, user string) {
	r.mu.Lock()
	s.lostUser = user
	r.mu.Unlock()
}

func (r *recorder) signedUp(a *account) {
	r.mu.Lock()
	r.accounts = append(r.accounts, a)
	r.mu.Unlock()
}

// Limits are the run's assertions.
type Limits struct {
	Recovery time.Duration // service back within this of a backend's return
	MaxRSS   int64         // bytes, per instance
}

// Result is what a run measured.
type Result struct {
	Started    time.Time
	Samples    []*sample
	Outages    []*outage
	Accounts   int      // sign-ups answered 303
	SignedIn   int      // of those, signed in after the run
	Missing    []string // sign-ups answered 303 that do not sign in afterwards, with why
	PeakRSS    map[string]int64
	Failovers  int64
	Lost       int64 // requests the balancer lost (502)
	ErrorLines []string
}

// window is when an answer of a backend being away is allowed: from the
// cut until Recovery after its return.
func (o *outage) window(l Limits) (time.Time, time.Time) { return o.down, o.up.Add(l.Recovery) }

func overlaps(s *sample, from, to time.Time) bool { return !s.end.Before(from) && !s.start.After(to) }

// busy reports a 503 of a server too busy to answer in time (not of a
// backend away); outside an outage it fails the run on its own.
func busy(s *sample) bool { return strings.HasPrefix(s.detail, "Server busy") }

// recovery is the time from o's return until the start of the last request
// answered 503 for a backend after it (before the next outage), and how
// many such 503s there were from o's cut on.
func (res *Result) recovery(o *outage) (last503 time.Duration, n503 int) {
	next := time.Time{}
	for _, p := range res.Outages {
		if !p.restart && p.down.After(o.down) && (next.IsZero() || p.down.Before(next)) {
			next = p.down
		}
	}
	for _, s := range res.Samples {
		// The 503s from o's cut until the next cut (one that ended after
		// the next cut began is the next one's).
		if s.status != http.StatusServiceUnavailable || busy(s) || s.end.Before(o.down) || (!next.IsZero() && !s.end.Before(next)) {
			continue
		}
		n503++
		if d := s.start.Sub(o.up); d > last503 {
			last503 = d
		}
	}
	return last503, n503
}

// during reports whether s overlaps the window of a backend outage (of
// the session store only, when sessionStoreOnly).
func (res *Result) during(s *sample, l Limits, sessionStoreOnly bool) bool {
	for _, o := range res.Outages {
		if o.restart || (sessionStoreOnly && !o.sessionStore) {
			continue
		}
		if from, to := o.window(l); overlaps(s, from, to) {
			return true
		}
	}
	return false
}

// Verdict checks the assertions; it returns one line per failure.
func (res *Result) Verdict(l Limits) []string {
	var fails []string
	at := func(s *sample) string {
		return fmt.Sprintf("%s at %.1f s", s.route, s.start.Sub(res.Started).Seconds())
	}
	in := func(s *sample, sessionStoreOnly bool) bool { return res.during(s, l, sessionStoreOnly) }
	count := map[string]int{}
	first, last := map[string]string{}, map[string]string{}
	fail := func(kind string, s *sample, extra string) {
		count[kind]++
		if first[kind] == "" {
			first[kind] = at(s) + extra
		}
		last[kind] = at(s) + extra
	}
	for _, s := range res.Samples {
		switch {
		case s.status == 0:
			fail("no answer", s, ": "+s.err)
		case s.status >= 500 && s.status != http.StatusServiceUnavailable:
			fail(fmt.Sprintf("status %d", s.status), s, "")
		case s.status == http.StatusServiceUnavailable && !in(s, false):
			fail("503 while every backend was up", s, " ("+s.detail+")")
		case s.lostUser != "" && !in(s, true):
			fail("session lost while its store was up", s, " (user "+s.lostUser+")")
		case s.why != "" && !in(s, false):
			fail(fmt.Sprintf("unexpected %d", s.status), s, " ("+s.why+")")
		}
	}
	kinds := make([]string, 0, len(count))
	for k := range count {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		f := fmt.Sprintf("%s: %d, the first %s", k, count[k], first[k])
		if count[k] > 1 {
			f += ", the last " + last[k]
		}
		fails = append(fails, f)
	}
	for _, o := range res.Outages {
		if o.restart {
			if o.exit != "" {
				fails = append(fails, fmt.Sprintf("%s: stop after SIGTERM: %s", o.name, o.exit))
			}
			if o.readyBack > l.Recovery {
				fails = append(fails, fmt.Sprintf("%s: ready %.1f s after start (limit %s)", o.name, o.readyBack.Seconds(), l.Recovery))
			}
			continue
		}
		if o.readyBack > l.Recovery {
			fails = append(fails, fmt.Sprintf("%s: /readyz back %.1f s after its return (limit %s)", o.name, o.readyBack.Seconds(), l.Recovery))
		}
		if last, _ := res.recovery(o); last > l.Recovery {
			fails = append(fails, fmt.Sprintf("%s: 503 still %.1f s after its return (limit %s)", o.name, last.Seconds(), l.Recovery))
		}
	}
	if res.Lost > 0 {
		fails = append(fails, fmt.Sprintf("balancer: %d requests lost by an instance (502)", res.Lost))
	}
	if res.Accounts == 0 {
		fails = append(fails, "no sign-up was answered 303")
	}
	for _, m := range res.Missing {
		fails = append(fails, "sign-up answered 303 but "+m)
	}
	names := make([]string, 0, len(res.PeakRSS))
	for n := range res.PeakRSS {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if rss := res.PeakRSS[n]; rss >= l.MaxRSS {
			fails = append(fails, fmt.Sprintf("%s: RSS %s, limit %s", n, mib(rss), mib(l.MaxRSS)))
		}
	}
	return fails
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(float64(len(d)-1) * p)
	return d[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// Print writes the table of the run.
func (res *Result) Print(w io.Writer, l Limits) {
	type row struct {
		n, ok2, ok3, c4, c503, c5, none int
		lat                             []time.Duration
	}
	rows := map[string]*row{}
	total := &row{}
	for _, s := range res.Samples {
		r := rows[s.route]
		if r == nil {
			r = &row{}
			rows[s.route] = r
		}
		for _, r := range []*row{r, total} {
			r.n++
			switch {
			case s.status == 0:
				r.none++
			case s.status < 300:
				r.ok2++
			case s.status < 400:
				r.ok3++
			case s.status < 500:
				r.c4++
			case s.status == http.StatusServiceUnavailable:
				r.c503++
			default:
				r.c5++
			}
			if s.status != 0 {
				r.lat = append(r.lat, s.end.Sub(s.start))
			}
		}
	}
	routes := make([]string, 0, len(rows))
	for k := range rows {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	fmt.Fprintf(w, "\n%-26s %7s %7s %7s %5s %5s %5s %5s %10s %10s\n", "route", "reqs", "2xx", "3xx", "4xx", "503", "5xx", "none", "p50", "p99")
	line := func(name string, r *row) {
		sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
		fmt.Fprintf(w, "%-26s %7d %7d %7d %5d %5d %5d %5d %10s %10s\n", name, r.n, r.ok2, r.ok3, r.c4, r.c503, r.c5, r.none, ms(pct(r.lat, .5)), ms(pct(r.lat, .99)))
	}
	for _, k := range routes {
		line(k, rows[k])
	}
	line("total", total)
	dur := 0.0
	if n := len(res.Samples); n > 0 {
		dur = res.Samples[n-1].start.Sub(res.Started).Seconds()
	}
	if dur > 0 {
		fmt.Fprintf(w, "%-26s %7.1f\n", "requests/s", float64(total.n)/dur)
	}

	fmt.Fprintf(w, "\n%-22s %8s %8s %12s %14s %6s\n", "fault", "down at", "back at", "/readyz ok", "last 503 after", "503s")
	for _, o := range res.Outages {
		if o.restart {
			exit := "exit 0"
			if o.exit != "" {
				exit = o.exit
			}
			fmt.Fprintf(w, "%-22s %7.1fs %7.1fs %11.2fs %14s %6s   (graceful stop %.2f s, %s; ready %.2f s after start)\n", o.name,
				o.down.Sub(res.Started).Seconds(), o.up.Sub(res.Started).Seconds(), o.readyBack.Seconds(), "-", "-", o.stopTook.Seconds(), exit, o.readyBack.Seconds())
			continue
		}
		last, n := res.recovery(o)
		fmt.Fprintf(w, "%-22s %7.1fs %7.1fs %11.2fs %13.2fs %6d\n", o.name,
			o.down.Sub(res.Started).Seconds(), o.up.Sub(res.Started).Seconds(), o.readyBack.Seconds(), last.Seconds(), n)
	}
	fmt.Fprintf(w, "balancer: %d requests sent to the other instance after a refused connection, %d lost\n", res.Failovers, res.Lost)

	lost, lostIn := 0, 0
	tolerated := map[string]int{}
	for _, s := range res.Samples {
		if s.lostUser != "" {
			lost++
			if res.during(s, l, true) {
				lostIn++
			}
		}
		if s.why != "" {
			tolerated[fmt.Sprintf("%d %s", s.status, s.why)]++
		}
	}
	fmt.Fprintf(w, "\naccounts: %d sign-ups answered 303, %d of them signed in after the run\n", res.Accounts, res.SignedIn)
	fmt.Fprintf(w, "sessions of signed-in users seen lost: %d (%d of them while the session store was away)\n", lost, lostIn)
	if len(tolerated) > 0 {
		var ks []string
		for k, n := range tolerated {
			ks = append(ks, fmt.Sprintf("%s ×%d", k, n))
		}
		sort.Strings(ks)
		fmt.Fprintf(w, "other answers a working server should not give: %s\n", strings.Join(ks, "; "))
	}
	var names []string
	for n := range res.PeakRSS {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "peak RSS %s: %s (limit %s)\n", n, mib(res.PeakRSS[n]), mib(l.MaxRSS))
	}
	for _, e := range res.ErrorLines {
		fmt.Fprintln(w, "log:", e)
	}
}
