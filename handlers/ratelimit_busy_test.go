package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

// slowHasher hashes with one slot and parameters that take about d on
// this machine (measured), so parallel checks of one account queue for
// the slot past the request deadline.
func slowHasher(t *testing.T, d time.Duration) *auth.Hasher {
	t.Helper()
	p := auth.Params{Memory: 8192, Time: 5, Threads: 1, SaltLen: 16, KeyLen: 32}
	probe := auth.NewHasher(p, 1)
	took := time.Hour
	for range 3 { // the fastest of three: the first pays for fresh memory
		start := time.Now()
		if _, err := probe.Hash(context.Background(), "probe"); err != nil {
			t.Fatal(err)
		}
		took = max(min(took, time.Since(start)), time.Millisecond)
	}
	p.Time = uint32(min(max(int64(p.Time)*int64(d)/int64(took), 1), 1024))
	return auth.NewHasher(p, 1)
}

// A server too busy to check a password answers 503 and counts nothing:
// correct passwords that waited too long for a hashing slot are neither
// "invalid" nor failures that lock the account (issue 9, finding 3).
func TestBusyServerCountsNothing(t *testing.T) {
	t.Parallel()
	// Five at once (the account's limit): one slot, a check of about d, a
	// 2 s deadline: the last ones cannot get the slot in time. The hasher is
	// calibrated while other tests run; when it turns out too fast to make
	// anyone wait, the burst runs again on a fresh server twice as slow.
	var env *testenv.Env
	var zoe *models.User
	for _, d := range []time.Duration{700 * time.Millisecond, 1400 * time.Millisecond, 2800 * time.Millisecond} {
		slow := slowHasher(t, d)
		env = testenv.New(t, testenv.Options{Deps: func(d *gatehouse.Parts) { d.Hasher = slow }})
		env.Hasher = slow
		zoe = env.CreateUser(t, "zoe", "zoe@example.com", pw)
		if busyBurst(t, env) > 0 {
			break
		}
		env = nil
	}
	if env == nil {
		t.Fatal("no check ever timed out: the hasher was not slow enough to test this")
	}
	if es, _ := (models.Audit{DB: env.DB}).Recent(context.Background(), "login_failed", 5); len(es) != 0 {
		t.Fatalf("busy sign-ins recorded as failures: %+v", es)
	}
	// The busy answers counted nothing: the account's limit of five still
	// has room for five real failures, and only a sixth attempt is refused.
	// The password is re-hashed cheaply first so these checks cannot be the
	// ones that time out on a loaded machine.
	cheap, err := auth.NewHasher(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0).Hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := (models.Users{DB: env.DB}).SetPasswordHash(context.Background(), zoe.ID, cheap, time.Time{}); err != nil {
		t.Fatal(err)
	}
	c := env.Client(t)
	for i := range 5 {
		wantStatus(t, c.Post("/login", url.Values{"login": {"zoe"}, "password": {"wrong " + string(rune('a'+i))}}),
			http.StatusUnprocessableEntity, "wrong password after the busy answers")
	}
	wantStatus(t, c.Post("/login", url.Values{"login": {"zoe"}, "password": {pw}}), http.StatusTooManyRequests,
		"a sixth attempt after five real failures")
}

// busyBurst signs zoe in from five clients at once and reports how many
// got the busy 503; any answer but 303 or 503 fails the test.
func busyBurst(t *testing.T, env *testenv.Env) int {
	t.Helper()
	const n = 5
	clients := make([]*testenv.Client, n)
	for i := range clients {
		clients[i] = env.Client(t)
		clients[i].Get("/login")
	}
	statuses := make([]int, n)
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.Post("/login", url.Values{"login": {"zoe"}, "password": {pw}})
			statuses[i], bodies[i] = r.StatusCode, r.Body
		}()
	}
	wg.Wait()
	busy := 0
	for i, s := range statuses {
		switch s {
		case http.StatusSeeOther:
		case http.StatusServiceUnavailable:
			busy++
			if !strings.Contains(bodies[i], "busy") {
				t.Errorf("503 does not say the server is busy:\n%s", bodies[i])
			}
		default:
			t.Fatalf("parallel correct sign-ins on a busy server: %v, want 303 or 503 only", statuses)
		}
	}
	return busy
}
