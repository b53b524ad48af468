// Package gatehouse puts Gatehouse inside a Go program, the way a Django
// project uses django.contrib.auth: New opens it from the same
// configuration as the gatehouse binary, Mount adds its middleware and
// pages to a Fiber v3 app, RequireLogin, RequireStaff and RequirePerm guard
// the app's own routes, and UserFrom gives the signed-in user.
//
//	g, err := gatehouse.New(ctx, cfg, gatehouse.WithPerms(gatehouse.Perm{Code: "notes.moderate", Name: "Can moderate notes"}))
//	defer g.Close()
//	app := fiber.New()
//	g.Mount(app)
//	app.Get("/notes", g.RequireLogin(), notesPage)
package gatehouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/adaptor"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/handlers"
	"github.com/gatehouse/gatehouse/kv"
	"github.com/gatehouse/gatehouse/mail"
	"github.com/gatehouse/gatehouse/models"
)

// Gatehouse is a running Gatehouse: its database, session store,
// background work and HTTP handlers. Close it when the program ends.
type Gatehouse struct {
	srv   *handlers.Server
	db    *bun.DB
	store kv.Store
	log   *slog.Logger
	// proxies are exempt from the per-address connection cap (Listener).
	proxies *auth.TrustedProxies
	// metrics serves /metrics at GATEHOUSE_METRICS_ADDR; nil when off.
	metrics *metricsServer
	// rulesFile is forward-auth's rules file ("" none), read again by
	// ReloadRules.
	rulesFile string

	closeOnce sync.Once
	stop      func() // background loops
	closeErr  error
}

// Perm is a permission: a code "area.action" (lower-case letters, digits
// and underscores) and a name the admin shows.
type Perm = auth.Perm

// Option adjusts New.
type Option func(*options)

type options struct {
	log       *slog.Logger
	keyPrefix string
	perms     []Perm
}

// WithLogger sets the logger (slog.Default otherwise).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithKeyPrefix sets the prefix of Gatehouse's keys in Redis ("gatehouse:"
// otherwise), so that several programs can share one Redis database.
func WithKeyPrefix(prefix string) Option { return func(o *options) { o.keyPrefix = prefix } }

// WithPerms registers the program's own permissions at start (see
// RegisterPerms).
func WithPerms(perms ...Perm) Option {
	return func(o *options) { o.perms = append(o.perms, perms...) }
}

// New opens Gatehouse from cfg, as the gatehouse binary does: it connects
// to the database and migrates it, opens Redis or the embedded session
// store, reads or creates the secret key (SecretKeyFile), and starts the background work
// (the mail outbox sender, the expiry of old links and, for the embedded
// store, of old sessions). With GATEHOUSE_METRICS_ADDR set it serves
// Prometheus metrics at /metrics on that address until Close. ctx bounds
// the start only.
func New(ctx context.Context, cfg config.Config, opts ...Option) (g *Gatehouse, err error) {
	o := options{log: slog.Default(), keyPrefix: "gatehouse:"}
	for _, opt := range opts {
		opt(&o)
	}
	proxies, err := auth.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("GATEHOUSE_TRUSTED_PROXIES: %w", err)
	}
	// A rules file that does not parse is a configuration error, found
	// before anything is opened.
	var rules *auth.AccessRules
	if cfg.AccessRules != "" {
		if rules, err = config.LoadRules(cfg.AccessRules); err != nil {
			return nil, err
		}
	}
	g = &Gatehouse{log: o.log, proxies: proxies, rulesFile: cfg.AccessRules, stop: func() {}}
	// What is opened before a failure is closed again.
	defer func() {
		if err != nil {
			_ = g.Close()
			g = nil
		}
	}()
	if g.db, err = models.Open(ctx, cfg.DatabaseURL); err != nil {
		return g, err
	}
	applied, err := models.Migrate(ctx, g.db)
	if err != nil {
		return g, err
	}
	if len(applied) > 0 {
		o.log.Info("migrated", "applied", applied)
	}
	if err := g.RegisterPerms(ctx, o.perms...); err != nil {
		return g, err
	}
	secret, err := secretKey(ctx, cfg, g.db)
	if err != nil {
		return g, err
	}
	transport, err := mail.FromConfig(cfg, o.log)
	if err != nil {
		return g, err
	}
	var embedded *models.KV
	if cfg.RedisURL != "" {
		r, err := kv.NewRedis(cfg.RedisURL, o.keyPrefix)
		if err != nil {
			return g, err
		}
		g.store = r
	} else {
		embedded = &models.KV{DB: g.db}
		g.store = embedded
	}
	sender := mail.NewSender(g.db, transport, mail.Options{Log: o.log})
	g.stop = g.background(sender, embedded)

	hasher := auth.NewHasher(auth.Params{
		Memory: cfg.ArgonMemoryKiB, Time: cfg.ArgonTime, Threads: cfg.ArgonThreads,
		SaltLen: auth.DefaultParams().SaltLen, KeyLen: auth.DefaultParams().KeyLen,
	}, runtime.NumCPU())
	parts := Parts{
		Config: cfg, DB: g.db, Store: g.store, Hasher: hasher, Proxies: proxies, Log: o.log,
		SecretKey: secret, Mailer: sender,
	}
	if cfg.MetricsAddr != "" {
		parts.Metrics = NewMetrics(g.db, o.log)
		if g.metrics, err = serveMetrics(cfg.MetricsAddr, parts.Metrics); err != nil {
			return g, err
		}
	}
	g.srv = Assemble(parts)
	if rules != nil {
		if err := g.srv.Account.UseAccessRules(ctx, rules); err != nil {
			return g, err
		}
		o.log.Info("access rules", "file", cfg.AccessRules, "rules", len(rules.Rules))
	}
	return g, nil
}

// ReloadRules reads the forward-auth rules file again (the gatehouse
// binary does on SIGHUP). A file that does not parse keeps the rules in
// use; the error, naming the file and line, is logged and returned.
// Without a rules file it does nothing.
func (g *Gatehouse) ReloadRules(ctx context.Context) error {
	if g.rulesFile == "" {
		return nil
	}
	rules, err := config.LoadRules(g.rulesFile)
	if err == nil {
		err = g.srv.Account.UseAccessRules(ctx, rules)
	}
	if err != nil {
		g.log.Error("access rules not reloaded; the previous rules stay", "err", err)
		return err
	}
	g.log.Info("access rules reloaded", "file", g.rulesFile, "rules", len(rules.Rules))
	return nil
}

// background runs the outbox sender, the expiry of old link tokens and,
// for the embedded store, of old sessions; the returned function stops
// them and waits, letting a batch already handed to the SMTP server be
// recorded.
func (g *Gatehouse) background(sender *mail.Sender, embedded *models.KV) func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	run := func(f func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	run(sender.Run)
	// Link tokens go a day after they expired (used ones too: used_at kept
	// them dead meanwhile).
	run(func(ctx context.Context) {
		g.every(ctx, time.Hour, "expire tokens", func(ctx context.Context) (int64, error) {
			return models.Tokens{DB: g.db}.DeleteExpired(ctx, time.Now().Add(-24*time.Hour))
		})
	})
	if embedded != nil {
		run(func(ctx context.Context) { g.every(ctx, time.Minute, "expire sessions", embedded.DeleteExpired) })
	}
	return func() { cancel(); wg.Wait() }
}

// every runs a clean-up each interval until ctx ends, each run bounded to
// 30 seconds, logging what it removed.
func (g *Gatehouse) every(ctx context.Context, interval time.Duration, what string, f func(context.Context) (int64, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			runCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
			n, err := f(runCtx)
			cancel()
			if err != nil && ctx.Err() == nil {
				g.log.Warn(what, "err", err)
			} else if n > 0 {
				g.log.Debug(what, "rows", n)
			}
		}
	}
}

// Close stops the background work and the metrics listener, then closes
// the session store and the database. Stop serving HTTP first. Calling it
// again does nothing.
func (g *Gatehouse) Close() error {
	g.closeOnce.Do(func() {
		g.stop()
		var errs []error
		if g.metrics != nil {
			errs = append(errs, g.metrics.stop())
		}
		if c, ok := g.store.(interface{ Close() error }); ok {
			errs = append(errs, c.Close())
		}
		if g.db != nil {
			errs = append(errs, g.db.Close())
		}
		g.closeErr = errors.Join(errs...)
	})
	return g.closeErr
}

// Mount adds Gatehouse's middleware and every page of its contract
// (/login, /register, /account…, /admin…, /static, /healthz, /readyz) to
// router: the app itself, or a group without a prefix. Routes the app
// adds after Mount run behind the same middleware — sessions, CSRF checks
// on every unsafe request, security headers — and can use UserFrom;
// errors they return (fiber.ErrForbidden, fiber.ErrNotFound, a dead
// database) become Gatehouse's error pages, and an unknown path its 404
// page. Routes added before Mount get none of this.
func (g *Gatehouse) Mount(router fiber.Router) {
	g.srv.Register(router)
	router.Use(g.attachUser)
}

// App is Gatehouse alone as a Fiber app: what the gatehouse binary serves.
func (g *Gatehouse) App() *fiber.App { return g.srv.App() }

// Handler is App as a net/http handler, for programs built on net/http.
func (g *Gatehouse) Handler() http.Handler { return adaptor.FiberApp(g.App()) }

// DB is Gatehouse's database, for a program that keeps its own tables
// beside Gatehouse's.
func (g *Gatehouse) DB() *bun.DB { return g.db }

// RequireLogin is middleware for the app's own routes: an anonymous request
// gets 303 to /login?next=<its path and query> (for htmx, 200 with
// HX-Redirect to the same place).
func (g *Gatehouse) RequireLogin() fiber.Handler { return g.srv.RequireLogin() }

// RequireStaff is middleware letting only active staff through: anonymous
// requests are sent to sign in as by RequireLogin, others get the 403 page.
func (g *Gatehouse) RequireStaff() fiber.Handler { return g.srv.RequireStaff() }

// RequirePerm is middleware letting through signed-in users who hold every
// one of codes, directly or through a group (an active superuser holds
// all): anonymous requests are sent to sign in, others get the 403 page.
// Staff status is not needed.
func (g *Gatehouse) RequirePerm(codes ...string) fiber.Handler { return g.srv.RequirePerm(codes...) }

// Forbidden answers with Gatehouse's 403 page (as returning
// fiber.ErrForbidden does).
func (g *Gatehouse) Forbidden(c fiber.Ctx) error { return g.srv.Forbidden(c) }

// RegisterPerms adds the program's own permissions, so that the admin
// lists them for users and groups and RequirePerm can check them; a code
// already registered gets the new name and keeps its grants. Gatehouse's
// own codes (users.view…) cannot be registered.
func (g *Gatehouse) RegisterPerms(ctx context.Context, perms ...Perm) error {
	builtin := auth.BuiltinPerms()
	for _, p := range perms {
		if !auth.ValidPermCode(p.Code) {
			return fmt.Errorf("permission code %q: want area.action in lower-case letters, digits and _", p.Code)
		}
		if p.Name == "" {
			return fmt.Errorf("permission %s: the name is empty", p.Code)
		}
		if slices.ContainsFunc(builtin, func(b auth.Perm) bool { return b.Code == p.Code }) {
			return fmt.Errorf("permission %s is Gatehouse's own", p.Code)
		}
	}
	if err := (models.Perms{DB: g.db}).Register(ctx, perms); err != nil {
		return err
	}
	if g.srv != nil {
		// A superuser's Remote-Permissions (forward-auth) lists them too.
		return g.srv.Account.PermsRegistered(ctx)
	}
	return nil
}

// User is the signed-in user of a request.
type User struct {
	ID            int64
	Username      string
	Email         string
	EmailVerified bool
	IsStaff       bool
	IsSuperuser   bool
	// Groups are the names of the user's groups, sorted.
	Groups []string
	// Perms are the codes granted to the user directly or through a
	// group, sorted. A superuser holds every permission, listed or not:
	// ask HasPerm.
	Perms []string

	principal auth.Principal
}

// HasPerm reports whether u holds code, with Django's meaning: an active
// superuser holds everything. A nil User (anonymous) holds nothing.
func (u *User) HasPerm(code string) bool {
	return u != nil && u.principal.HasPerm(code)
}

const localUser = "gatehouse.user"

// UserFrom returns the signed-in user of the request, or nil for an
// anonymous one. It works in routes added after Mount.
func UserFrom(c fiber.Ctx) *User {
	if u, ok := c.Locals(localUser).(*User); ok {
		return u
	}
	au, p, ok := handlers.Viewer(c)
	if !ok {
		return nil
	}
	return newUser(au, p)
}

// CSRFToken is the token the request's forms post as the csrf_token field
// (or send as the X-CSRF-Token header): every unsafe request needs it.
func CSRFToken(c fiber.Ctx) string { return handlers.CSRFToken(c) }

// attachUser builds the User of the app's own routes once per request.
func (g *Gatehouse) attachUser(c fiber.Ctx) error {
	au, p, ok := handlers.Viewer(c)
	if !ok {
		return c.Next()
	}
	c.Locals(localUser, newUser(au, p))
	return c.Next()
}

func newUser(au *auth.User, p auth.Principal) *User {
	perms := make([]string, 0, len(p.Perms))
	for code, ok := range p.Perms {
		if ok {
			perms = append(perms, code)
		}
	}
	slices.Sort(perms)
	groups := slices.Clone(p.Groups)
	if groups == nil {
		groups = []string{}
	}
	return &User{
		ID: au.ID, Username: au.Username, Email: au.Email, EmailVerified: au.EmailVerified,
		IsStaff: au.IsStaff, IsSuperuser: au.IsSuperuser, Groups: groups, Perms: perms, principal: p,
	}
}
