// Package handlers is Gatehouse's HTTP adapter: Fiber routes, middleware and
// one handler per file, each rendering templ components from components/.
package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/extractors"
	"github.com/gofiber/fiber/v3/middleware/csrf"
	"github.com/gofiber/fiber/v3/middleware/static"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/assets"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/kv"
	"github.com/gatehouse/gatehouse/models"
	"github.com/gatehouse/gatehouse/sessions"
)

// Deps is everything the HTTP layer needs; the root package gatehouse
// assembles it.
type Deps struct {
	Config   config.Config
	Account  *account.Service
	Sessions *sessions.Manager
	// Store backs the CSRF tokens.
	Store   kv.Store
	Proxies *auth.TrustedProxies
	Log     *slog.Logger
	Now     func() time.Time // tests move the clock
	// SecretKey keys the handles that name sessions and users in forms.
	SecretKey string
	// Ready are the backends /readyz checks, by name.
	Ready []Check
	// DB is read by the admin pages until they go through account.
	DB *bun.DB
	// Hasher checks passwords of the admin's own forms until they go
	// through account.
	Hasher *auth.Hasher
	Mailer interface{ Notify() }
}

// Check is one backend /readyz pings.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Server is the Fiber app and the stores its handlers share.
type Server struct {
	Deps
	app     *fiber.App
	users   models.Users
	perms   models.Perms
	audit   models.Audit
	landing map[string]fiber.Handler
}

const (
	csrfCookie = "gatehouse_csrf"
	// requestTimeout bounds every database and store call of a request, so a
	// dead backend becomes a 503 within seconds instead of a hung request.
	requestTimeout = 2 * time.Second
	bodyLimit      = 256 << 10
)

// New wires the middleware and routes.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Server{
		Deps:    d,
		users:   models.Users{DB: d.DB},
		perms:   models.Perms{DB: d.DB},
		audit:   models.Audit{DB: d.DB},
		landing: map[string]fiber.Handler{},
	}
	s.app = fiber.New(fiber.Config{
		AppName:      "gatehouse",
		BodyLimit:    bodyLimit,
		ReadTimeout:  15 * time.Second,
		WriteTimeout: 30 * time.Second,
		IdleTimeout:  60 * time.Second,
		ErrorHandler: s.handleError,
	})

	d.Sessions.OnError(s.sessionError)

	a := s.app
	a.Use(s.requestLog)
	a.Use(s.recoverPanic)
	a.Use(s.securityHeaders)
	a.Use("/static", static.New("", static.Config{FS: assets.FS(), MaxAge: 365 * 24 * 3600, Compress: true}))
	a.Get("/healthz", s.healthz)
	a.Get("/readyz", s.readyz)
	a.Use(s.withTimeout)
	a.Use(csrf.New(csrf.Config{
		Storage:        d.Store,
		CookieName:     csrfCookie,
		CookieSameSite: fiber.CookieSameSiteLaxMode,
		CookieSecure:   d.Config.SecureCookies(),
		CookieHTTPOnly: true,
		IdleTimeout:    24 * time.Hour,
		Extractor:      extractors.Chain(extractors.FromHeader("X-CSRF-Token"), extractors.FromForm("csrf_token")),
		ErrorHandler:   s.csrfError,
	}))
	a.Use(s.sessionCookieLifetime)
	a.Use(d.Sessions.Middleware())
	a.Use(s.loadViewer)
	s.routes()
	return s
}

// App is the Fiber application, for Listen and for tests.
func (s *Server) App() *fiber.App { return s.app }

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
