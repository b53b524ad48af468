package chaos

import (
	"strings"
	"testing"
	"time"
)

// The verdict judges answers by when they came: a test of the run's
// assertions on made-up samples (the run itself is `task chaos`).
func TestVerdict(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }
	l := Limits{Recovery: 5 * time.Second, MaxRSS: 256 << 20}
	outages := func() []*outage {
		return []*outage{
			{name: "redis cut off", sessionStore: true, down: at(10), up: at(15), readyBack: time.Second},
			{name: "postgresql cut off", down: at(25), up: at(30), readyBack: time.Second},
			{name: "instance-a SIGTERM", restart: true, down: at(40), up: at(40.1), readyBack: time.Second},
		}
	}
	req := func(start, end float64, status int) *sample {
		return &sample{route: "GET /account", start: at(start), end: at(end), status: status}
	}
	ok := func() []*sample { return []*sample{req(1, 1.1, 200), req(2, 2.2, 303)} }
	cases := []struct {
		name   string
		change func(*Result)
		want   string // "" passes
	}{
		{"quiet", func(*Result) {}, ""},
		{"a 500 at any time", func(r *Result) { r.Samples = append(r.Samples, req(12, 12.1, 500)) }, "status 500: 1"},
		{"a 503 while redis is away", func(r *Result) {
			r.Samples = append(r.Samples, &sample{route: "GET /", start: at(11), end: at(11.5), status: 503, detail: "Service unavailable: the session store"})
		}, ""},
		{"a 503 soon after the return", func(r *Result) { r.Samples = append(r.Samples, req(17, 17.1, 503)) }, ""},
		{"a 503 too long after the return", func(r *Result) { r.Samples = append(r.Samples, req(21, 21.1, 503)) }, "503 while every backend was up: 1"},
		{"a 503 while an instance restarts", func(r *Result) { r.Samples = append(r.Samples, req(40, 40.05, 503)) }, "503 while every backend was up: 1"},
		{"a busy 503 outside the outages", func(r *Result) {
			r.Samples = append(r.Samples, &sample{route: "POST /login", start: at(50), end: at(52), status: 503, detail: "Server busy"})
		}, "503 while every backend was up: 1"},
		{"the last backend 503 late, with all ready", func(r *Result) {
			r.Outages[1].up = at(30)
			r.Samples = append(r.Samples, req(36, 36.1, 503))
		}, "postgresql cut off: 503 still 6.0 s after its return"},
		{"readyz late", func(r *Result) { r.Outages[0].readyBack = 6 * time.Second }, "redis cut off: /readyz back 6.0 s"},
		{"a session lost while redis is away", func(r *Result) {
			s := req(12, 12.1, 303)
			s.lostUser = "u1"
			r.Samples = append(r.Samples, s)
		}, ""},
		{"a session lost while postgresql is away", func(r *Result) {
			s := req(26, 26.1, 303)
			s.lostUser = "u1"
			r.Samples = append(r.Samples, s)
		}, "session lost while its store was up: 1"},
		{"a 403 with every backend up", func(r *Result) {
			s := req(45, 45.1, 403)
			s.why = "page refused"
			r.Samples = append(r.Samples, s)
		}, "unexpected 403: 1"},
		{"no answer", func(r *Result) {
			s := req(45, 75, 0)
			s.err = "timeout"
			r.Samples = append(r.Samples, s)
		}, "no answer: 1"},
		{"a request lost by the balancer", func(r *Result) { r.Lost = 1 }, "balancer: 1 requests lost"},
		{"a sign-up that does not sign in", func(r *Result) { r.Missing = []string{"vu001_x does not sign in"} }, "vu001_x does not sign in"},
		{"no sign-up at all", func(r *Result) { r.Accounts = 0 }, "no sign-up was answered 303"},
		{"an unclean stop", func(r *Result) { r.Outages[2].exit = "exit status 1" }, "stop after SIGTERM: exit status 1"},
		{"a big instance", func(r *Result) { r.PeakRSS["instance-b"] = 300 << 20 }, "instance-b: RSS 300.0 MiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &Result{Started: t0, Samples: ok(), Outages: outages(), Accounts: 3, SignedIn: 3,
				PeakRSS: map[string]int64{"instance-a": 100 << 20, "instance-b": 120 << 20}}
			tc.change(r)
			fails := strings.Join(r.Verdict(l), "\n")
			if tc.want == "" && fails != "" {
				t.Fatalf("want a pass, got:\n%s", fails)
			}
			if tc.want != "" && !strings.Contains(fails, tc.want) {
				t.Fatalf("want a failure %q, got:\n%s", tc.want, fails)
			}
		})
	}
}
