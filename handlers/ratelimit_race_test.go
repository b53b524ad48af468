package handlers_test

import (
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Guesses sent all at once must not outrun the counter: of many parallel
// wrong passwords for one account, at most the limit get checked.
func TestParallelGuessesRespectTheLimit(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "pat", "pat@example.com", pw)
	const n = 24
	clients := make([]*testenv.Client, n)
	for i := range clients {
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
			statuses[i] = c.Post("/login", url.Values{"login": {"pat"}, "password": {"wrong guess number " + string(rune('a'+i))}}).StatusCode
		}()
	}
	start.Done()
	wg.Wait()
	checked := 0
	for _, s := range statuses {
		switch s {
		case http.StatusUnprocessableEntity:
			checked++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("unexpected status %d in %v", s, statuses)
		}
	}
	if checked > 5 || checked == 0 {
		t.Fatalf("%d of %d parallel guesses were checked, want 1 to 5: %v", checked, n, statuses)
	}
	// A refused guess counts for a moment before it is taken back, so a
	// burst may check fewer than five; the rest of the limit is still
	// there, and no more.
	late := env.Client(t)
	for i := checked; i < 5; i++ {
		wantStatus(t, late.Post("/login", url.Values{"login": {"pat"}, "password": {"a later wrong guess"}}),
			http.StatusUnprocessableEntity, "a failure within the limit after the burst")
	}
	r := env.Client(t).Post("/login", url.Values{"login": {"pat"}, "password": {pw}})
	wantStatus(t, r, http.StatusTooManyRequests, "after the parallel guesses")
}

// Parallel reset requests cannot mail one address more often than the limit.
func TestParallelResetRequestsRespectTheLimit(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "quin", "quin@example.com", pw)
	const n = 16
	clients := make([]*testenv.Client, n)
	for i := range clients {
		clients[i] = env.Client(t)
		clients[i].Get("/password-reset")
	}
	statuses := make([]int, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start.Wait()
			statuses[i] = c.Post("/password-reset", url.Values{"email": {"quin@example.com"}}).StatusCode
		}()
	}
	start.Done()
	wg.Wait()
	sent := 0
	for _, s := range statuses {
		switch s {
		case http.StatusSeeOther:
			sent++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("unexpected status %d in %v", s, statuses)
		}
	}
	if sent > 5 {
		t.Fatalf("%d of %d parallel reset requests went through, want at most 5: %v", sent, n, statuses)
	}
}
