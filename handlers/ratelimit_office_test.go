package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

// An office behind one address signs in at the same moment: 32 correct
// passwords of different accounts from one IP all succeed, because the
// per-address limit counts failures only (CONTRACT §5).
func TestOfficeSignsInAtOnce(t *testing.T) {
	t.Parallel()
	// Two hashing slots: most of the 32 attempts wait for one, all in
	// flight together, as in an office at nine. The hashes are cheap (and
	// the users' hashes need no re-hash), so the queue stays well inside the
	// request deadline even on a loaded machine: this tests the limits,
	// not a busy server. The per-address limit is set far below 32, so an
	// address limit that counted attempts in flight would refuse many.
	params := auth.Params{Memory: 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	env := testenv.New(t, testenv.Options{
		Env:  map[string]string{"GATEHOUSE_RATE_LIMITS": "login_ip=5/15m"},
		Deps: func(d *gatehouse.Parts) { d.Hasher = auth.NewHasher(params, 2) },
	})
	env.Hasher = auth.NewHasher(params, 0)
	const n = 32
	clients := make([]*testenv.Client, n)
	for i := range clients {
		name := "office" + strconv.Itoa(i)
		env.CreateUser(t, name, name+"@example.com", pw)
		clients[i] = env.Client(t)
		clients[i].Get("/login")
	}
	statuses := make([]int, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start.Wait()
			statuses[i] = c.Post("/login", url.Values{"login": {"office" + strconv.Itoa(i)}, "password": {pw}}).StatusCode
		}()
	}
	start.Done()
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusSeeOther {
			t.Fatalf("sign-in %d of %d parallel correct ones: %d (all: %v)", i, n, s, statuses)
		}
	}
}

// Failures from one address stop at the per-address limit (50 in 15
// minutes), whatever names they try; successes in between do not count.
func TestIPLimitCountsFailures(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "wes", "wes@example.com", pw)
	c := env.Client(t)
	for i := range 60 {
		// Correct sign-ins do not use up the address's allowance.
		if r := env.Client(t).Post("/login", url.Values{"login": {"wes"}, "password": {pw}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct sign-in %d: %d", i, r.StatusCode)
		}
	}
	for i := range 50 {
		if r := c.Post("/login", url.Values{"login": {"name" + strconv.Itoa(i)}, "password": {"nope nope"}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: %d", i, r.StatusCode)
		}
	}
	r := env.Client(t).Post("/login", url.Values{"login": {"wes"}, "password": {pw}})
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("51st attempt after 50 failures from one IP: %d", r.StatusCode)
	}
	if es, _ := (models.Audit{DB: env.DB}).Recent(context.Background(), "rate_limited", 5); len(es) == 0 {
		t.Error("no audit event for the per-address limit trip")
	}
}

// GATEHOUSE_RATE_LIMITS sets every limit.
func TestRateLimitsFromEnv(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{Env: map[string]string{
		"GATEHOUSE_RATE_LIMITS": "login_account=2/15m,login_ip=3/15m,signup_ip=1/1m,validate_ip=2/5m,reset_address=1/1h",
	}})
	env.CreateUser(t, "xan", "xan@example.com", pw)
	c := env.Client(t)
	for i := range 2 {
		if r := c.Post("/login", url.Values{"login": {"xan"}, "password": {"wrong " + strconv.Itoa(i)}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: %d", i, r.StatusCode)
		}
	}
	if r := c.Post("/login", url.Values{"login": {"xan"}, "password": {pw}}); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("login_account=2: third attempt %d", r.StatusCode)
	}
	// One more failure (another name) brings the address to 3.
	c.Post("/login", url.Values{"login": {"nobody"}, "password": {"wrong"}})
	if r := c.Post("/login", url.Values{"login": {"nobody2"}, "password": {"wrong"}}); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("login_ip=3: fourth failure %d", r.StatusCode)
	}
	if r := env.Client(t).Post("/register", registerForm("yara", "yara@example.com", "violet ostrich mountain")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-up: %d", r.StatusCode)
	}
	if r := env.Client(t).Post("/register", registerForm("yves", "yves@example.com", "violet ostrich mountain")); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("signup_ip=1/1m: second sign-up %d", r.StatusCode)
	}
}

// /register/validate is limited per address: 429 with Retry-After beyond it.
func TestRegisterValidateLimit(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{Env: map[string]string{"GATEHOUSE_RATE_LIMITS": "validate_ip=3/5m"}})
	c := env.Client(t)
	for i := range 3 {
		r := c.Post("/register/validate", url.Values{"username": {"zed" + strconv.Itoa(i)}}, "HX-Request", "true", "HX-Trigger-Name", "username")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("check %d: %d", i, r.StatusCode)
		}
	}
	r := c.Post("/register/validate", url.Values{"username": {"zed9"}}, "HX-Request", "true", "HX-Trigger-Name", "username")
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if r.StatusCode != http.StatusTooManyRequests || err != nil || ra < 1 || ra > 300 {
		t.Fatalf("4th check: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	// Without trusted proxies a forwarded address changes nothing.
	r = env.Client(t).Post("/register/validate", url.Values{"username": {"zed9"}}, "HX-Request", "true", "HX-Trigger-Name", "username", "X-Forwarded-For", "203.0.113.5")
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("spoofed X-Forwarded-For escaped the limit: %d", r.StatusCode)
	}
}
