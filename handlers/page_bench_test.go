package handlers_test

import (
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// BenchmarkPageCPU is the application's own CPU for one request, without
// the network: the handler chain called on a prepared request, its log
// formatted as in production but discarded. scripts/bench-http measures
// the same routes over HTTP on PostgreSQL + Redis; this one is for
// go test -cpuprofile.
func BenchmarkPageCPU(b *testing.B) {
	env := testenv.New(b, testenv.Options{Deps: func(p *gatehouse.Parts) {
		p.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}})
	env.CreateUser(b, "alice", "alice@example.com", pw)
	c := env.Client(b)
	c.Login("alice", pw)
	session := c.Cookie("gatehouse_session")
	h := env.Server.App().Handler()
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	for _, tc := range []struct{ name, path, session string }{
		{"healthz", "/healthz", ""},
		{"login-anonymous", "/login", ""},
		{"account", "/account", session},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var req fasthttp.Request
			req.SetRequestURI(tc.path)
			req.Header.SetHost("127.0.0.1")
			if tc.session != "" {
				req.Header.SetCookie("gatehouse_session", tc.session)
			}
			var ctx fasthttp.RequestCtx
			b.ReportAllocs()
			for b.Loop() {
				ctx.Response.Reset()
				ctx.Init(&req, remote, nil)
				h(&ctx)
				if code := ctx.Response.StatusCode(); code != fasthttp.StatusOK {
					b.Fatalf("%s: %d", tc.path, code)
				}
			}
		})
	}
}
