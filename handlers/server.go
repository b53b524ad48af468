// Package handlers is Gatehouse's HTTP adapter: Fiber routes, middleware and
// one handler per file, each rendering templ components from components/.
package handlers

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/static"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/assets"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/csrf"
	"github.com/gatehouse/gatehouse/kv"
	"github.com/gatehouse/gatehouse/sessions"
)

// Deps is everything the HTTP layer needs; the root package gatehouse
// assembles it.
type Deps struct {
	Config   config.Config
	Account  *account.Service
	Sessions *sessions.Manager
	// Store is the session store (sessions and limits live there too).
	Store   kv.Store
	Proxies *auth.TrustedProxies
	Log     *slog.Logger
	Now     func() time.Time // tests move the clock
	// SecretKey keys the handles that name sessions and users in forms.
	SecretKey string
	// Ready are the backends /readyz checks, by name.
	Ready []Check
	// Metrics counts requests and backend errors; nil counts nothing.
	Metrics Metrics
}

// Check is one backend /readyz pings.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Server is Gatehouse's middleware and routes, and the stores its handlers
// share. App serves them alone; Register adds them to another app.
type Server struct {
	Deps
	app     *fiber.App
	appOnce sync.Once
	// router is the one Register is adding routes to.
	router  fiber.Router
	landing map[string]fiber.Handler
	// lastDown names the backend that last failed a ping.
	lastDown atomic.Pointer[string]
	// signer makes CSRF tokens and signed cookies; built once, it keeps
	// its keyed HMAC states between requests.
	signer *csrf.Signer
	// shared holds the pages every anonymous visitor gets alike
	// (shared_page.go).
	shared *sharedPages
}

const (
	// csrfCookie holds a browser's signed random id, which anonymous CSRF
	// tokens are bound to (handlers/csrf.go).
	csrfCookie = "gatehouse_csrf"
	// requestTimeout bounds every database and store call of a request, so a
	// dead backend becomes a 503 within seconds instead of a hung request.
	requestTimeout = 2 * time.Second
)

// New builds the server; App or Register put its routes on a Fiber app.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Server{
		Deps:    d,
		landing: map[string]fiber.Handler{},
		signer:  csrf.New(d.SecretKey),
		shared:  newSharedPages(),
	}
	d.Sessions.OnError(s.sessionError)
	return s
}

// App is Gatehouse alone as a Fiber application, for Listen and for tests;
// built on first use.
func (s *Server) App() *fiber.App {
	s.appOnce.Do(func() {
		s.app = fiber.New(fiber.Config{
			AppName: "gatehouse",
			// fasthttp reads a whole body before any handler runs: the body
			// limit, the read timeout and the connection bound are what
			// bound the memory slow clients can hold (limits.go).
			BodyLimit:   bodyLimit,
			Concurrency: maxConcurrentConns,
			// Room for a request line and headers as long as nginx's default
			// (8 kB), so a long link gets the site's 404 rather than a
			// connection closed mid-request.
			ReadBufferSize: 8 << 10,
			ReadTimeout:    readTimeout,
			WriteTimeout:   30 * time.Second,
			IdleTimeout:    60 * time.Second,
			ErrorHandler:   s.handleError,
		})
		s.Register(s.app)
		s.app.Use(s.notFoundHandler)
	})
	return s.app
}

// Register adds Gatehouse's middleware and routes to r, which must be an
// app or a group without a prefix: the contract's paths are absolute.
// Routes r gets after this run behind the middleware (sessions, CSRF, the
// viewer), and errors they return become Gatehouse's error pages.
func (s *Server) Register(r fiber.Router) {
	s.router = r
	if s.Metrics != nil {
		r.Use(s.measure)
	}
	r.Use(s.requestLog)
	r.Use(s.recoverPanic)
	r.Use(s.securityHeaders)
	r.Use("/static", static.New("", static.Config{FS: assets.FS(), MaxAge: 365 * 24 * 3600, Compress: true}))
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Use(s.withTimeout)
	r.Use(s.noteSessionCookie)
	r.Use(s.Sessions.Middleware())
	r.Use(s.loadViewer)
	// Forward-auth asks on every proxied request: it needs the viewer but
	// no CSRF state (it changes nothing), so it is answered here. Any
	// method: nginx's auth_request subrequest inherits the original
	// request's (POST…), and the rules read X-Original-Method anyway.
	r.All("/auth/forward", s.forwardAuth)
	r.All("/auth/request", s.forwardRequest)
	// Stateless CSRF (handlers/csrf.go), after loadViewer: a token is
	// bound to the signed-in session when there is one.
	r.Use(s.csrfProtect)
	s.routes()
}

// StartsSession names the requests that may create a session.
func StartsSession(c fiber.Ctx) bool {
	if c.Method() != fiber.MethodPost {
		return false
	}
	switch c.Path() {
	case "/login", "/register":
		return true
	}
	return false
}

func (s *Server) withTimeout(c fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.Context(), requestTimeout)
	defer cancel()
	c.SetContext(ctx)
	return c.Next()
}
