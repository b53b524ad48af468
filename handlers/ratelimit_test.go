package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

func TestAccountLockoutAcrossUsernameAndEmail(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "uma", "uma@example.com", "a long secret phrase")
	c := env.Client(t)
	// Five failures, typed as username and as email, count for one account.
	for i, login := range []string{"uma", "UMA@example.com", "uma", "uma@example.com", "Uma"} {
		r := c.Post("/login", url.Values{"login": {login}, "password": {"wrong password " + strconv.Itoa(i)}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: %d", i, r.StatusCode)
		}
	}
	// The right password is now refused without being checked.
	r := c.Post("/login", url.Values{"login": {"uma"}, "password": {"a long secret phrase"}})
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th attempt: %d", r.StatusCode)
	}
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || ra < 800 || ra > 900 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if !strings.Contains(r.Body, "Try again in") {
		t.Fatalf("429 page does not say when:\n%s", r.Body)
	}
	// Refused attempts do not extend the window.
	for i := 0; i < 3; i++ {
		c.Post("/login", url.Values{"login": {"uma"}, "password": {"x"}})
	}
	r = c.Post("/login", url.Values{"login": {"uma@example.com"}, "password": {"a long secret phrase"}})
	ra2, _ := strconv.Atoi(r.Header.Get("Retry-After"))
	if r.StatusCode != http.StatusTooManyRequests || ra2 > ra {
		t.Fatalf("window extended by refused attempts: %d → %d (status %d)", ra, ra2, r.StatusCode)
	}
	if es, _ := (models.Audit{DB: env.DB}).Recent(context.Background(), "rate_limited", 5); len(es) == 0 {
		t.Error("no audit event for the rate-limit trip")
	}
	// Another client (another browser, same IP) is refused for this account too.
	other := env.Client(t)
	if r := other.Post("/login", url.Values{"login": {"uma"}, "password": {"a long secret phrase"}}); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("lockout is per-browser only: %d", r.StatusCode)
	}
}

func TestLoginNameLimitForUnknownUsers(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	for i := 0; i < 5; i++ {
		c.Post("/login", url.Values{"login": {"ghost"}, "password": {"whatever " + strconv.Itoa(i)}})
	}
	if r := c.Post("/login", url.Values{"login": {"Ghost"}, "password": {"x"}}); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("typed login name not limited: %d", r.StatusCode)
	}
}

// X-Forwarded-For is believed only from trusted proxies.
func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{Env: map[string]string{"GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1/32"}})
	untrusting := testenv.New(t)
	// 50 failures from one client address (CONTRACT §5).
	for i := 0; i < 50; i++ {
		c := env.Client(t)
		c.Post("/login", url.Values{"login": {"n" + strconv.Itoa(i)}, "password": {"nope nope"}}, "X-Forwarded-For", "203.0.113.7")
	}
	blocked := env.Client(t).Post("/login", url.Values{"login": {"z"}, "password": {"nope nope"}}, "X-Forwarded-For", "203.0.113.7")
	other := env.Client(t).Post("/login", url.Values{"login": {"z2"}, "password": {"nope nope"}}, "X-Forwarded-For", "198.51.100.9")
	if blocked.StatusCode != http.StatusTooManyRequests || other.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("per-client-IP limit behind a trusted proxy: %d / %d", blocked.StatusCode, other.StatusCode)
	}
	// Without trust, a spoofed header does not dodge the limit.
	for i := 0; i < 50; i++ {
		untrusting.Client(t).Post("/login", url.Values{"login": {"n" + strconv.Itoa(i)}, "password": {"nope nope"}}, "X-Forwarded-For", "192.0.2."+strconv.Itoa(i))
	}
	if r := untrusting.Client(t).Post("/login", url.Values{"login": {"q"}, "password": {"nope nope"}}, "X-Forwarded-For", "192.0.2.99"); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("spoofed X-Forwarded-For escaped the IP limit: %d", r.StatusCode)
	}
}

func TestSignUpLimitPerIP(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	for i := 0; i < 20; i++ {
		c := env.Client(t)
		r := c.Post("/register", registerForm("signup"+strconv.Itoa(i), "s"+strconv.Itoa(i)+"@example.com", "violet ostrich mountain"))
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-up %d: %d", i, r.StatusCode)
		}
	}
	r := env.Client(t).Post("/register", registerForm("signup99", "s99@example.com", "violet ostrich mountain"))
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("21st sign-up in a minute: %d", r.StatusCode)
	}
}
