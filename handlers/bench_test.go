package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// BenchmarkRegisterValidate is one inline validation round trip over HTTP
// (password field: rules, checklist, strength; no hashing).
func BenchmarkRegisterValidate(b *testing.B) {
	env := testenv.New(b)
	c := env.Client(b)
	c.Get("/register")
	body := url.Values{"csrf_token": {c.CSRF}, "username": {"alice"}, "email": {"alice@example.com"},
		"password": {"violet ostrich mountain"}}.Encode()
	for b.Loop() {
		if r := c.PostRaw("/register/validate", body, "HX-Request", "true", "HX-Trigger-Name", "password"); r.StatusCode != 200 {
			b.Fatal(r.StatusCode)
		}
	}
}

// BenchmarkValidateUsernameTaken includes the uniqueness query.
func BenchmarkValidateUsernameTaken(b *testing.B) {
	env := testenv.New(b)
	env.CreateUser(b, "alice", "alice@example.com", "violet ostrich mountain")
	c := env.Client(b)
	c.Get("/register")
	body := url.Values{"csrf_token": {c.CSRF}, "username": {"Alice"}}.Encode()
	for b.Loop() {
		if r := c.PostRaw("/register/validate", body, "HX-Trigger-Name", "username"); !strings.Contains(r.Body, "taken") {
			b.Fatal(r.StatusCode)
		}
	}
}

// BenchmarkSignIn splits a sign-in into the password hash with the default
// (production) argon2id parameters and everything else (the HTTP round
// trip with cheap test parameters).
func BenchmarkSignIn(b *testing.B) {
	b.Run("hash-default-params", func(b *testing.B) {
		h := auth.NewHasher(auth.DefaultParams(), 1)
		enc, _ := h.Hash(context.Background(), "violet ostrich mountain")
		for b.Loop() {
			if ok, _, _ := h.Verify(context.Background(), enc, "violet ostrich mountain"); !ok {
				b.Fatal("verify")
			}
		}
	})
	b.Run("http-without-hash-cost", func(b *testing.B) {
		env := testenv.New(b)
		env.CreateUser(b, "alice", "alice@example.com", "violet ostrich mountain")
		for b.Loop() {
			c := env.Client(b)
			if r := c.Post("/login", url.Values{"login": {"alice"}, "password": {"violet ostrich mountain"}}); r.StatusCode != http.StatusSeeOther {
				b.Fatal(r.StatusCode)
			}
		}
	})
}

// BenchmarkAccountPage is GET /account signed in: session, user and
// permission reads, render.
func BenchmarkAccountPage(b *testing.B) {
	env := testenv.New(b)
	env.CreateUser(b, "alice", "alice@example.com", "violet ostrich mountain")
	c := env.Client(b)
	c.Login("alice", "violet ostrich mountain")
	for b.Loop() {
		if r := c.Get("/account"); r.StatusCode != 200 {
			b.Fatal(r.StatusCode)
		}
	}
}
