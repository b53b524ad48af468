// Package testenv starts a real Gatehouse server for tests: SQLite and the
// embedded session store by default, or PostgreSQL and Redis when
// GATEHOUSE_TEST_DATABASE_URL and GATEHOUSE_TEST_REDIS_URL are set. Every
// test gets its own schema (PostgreSQL), file (SQLite) and key prefix
// (Redis), so tests run in parallel. A configured backend that does not
// answer fails the test; it never skips.
package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/handlers"
	"github.com/gatehouse/gatehouse/internal/smtptest"
	"github.com/gatehouse/gatehouse/kv"
	"github.com/gatehouse/gatehouse/mail"
	"github.com/gatehouse/gatehouse/models"
	"github.com/gatehouse/gatehouse/sessions"
)

// Env is one running server and its backends.
type Env struct {
	URL    string
	DB     *bun.DB
	Store  kv.Store
	Server *handlers.Server
	Clock  *Clock
	Config config.Config
	Hasher *auth.Hasher
	// Mail is the outbox sender, when Options.SMTP started one.
	Mail *mail.Sender
	log  *slog.Logger
	logs *SyncBuffer
}

// Options adjust the server a test starts.
type Options struct {
	Env map[string]string // extra GATEHOUSE_* variables
	// Deps, when set, may change the dependencies before the server starts.
	Deps func(*gatehouse.Parts)
	// SMTP, when set, points GATEHOUSE_SMTP_URL at this server and runs the
	// outbox sender with the test clock and quick retries.
	SMTP *smtptest.Server
	// Peer, when set, makes this server a second instance of Peer's: the
	// same database and session store, as behind a load balancer.
	Peer *Env
}

// Postgres reports whether tests run against PostgreSQL.
func Postgres() bool { return os.Getenv("GATEHOUSE_TEST_DATABASE_URL") != "" }

// Redis reports whether tests run against Redis.
func Redis() bool { return os.Getenv("GATEHOUSE_TEST_REDIS_URL") != "" }

// New starts a server for t and stops it when t ends.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	ctx := context.Background()
	var db *bun.DB
	var store kv.Store
	clock := &Clock{}
	if o.Peer != nil {
		db, store, clock = o.Peer.DB, o.Peer.Store, o.Peer.Clock
	} else {
		db = OpenDB(t)
		if _, err := models.Migrate(ctx, db); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		store = OpenStore(t, db)
		if k, ok := store.(*models.KV); ok {
			k.Now = clock.Now
		}
	}

	env := map[string]string{"GATEHOUSE_ADDR": "127.0.0.1:0"}
	if o.SMTP != nil {
		env["GATEHOUSE_SMTP_URL"] = o.SMTP.URL()
	}
	for k, v := range o.Env {
		env[k] = v
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &SyncBuffer{}
	// Cheap hashing keeps the suite fast; the parameters are still argon2id.
	hasher := auth.NewHasher(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)
	proxies, err := auth.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		t.Fatal(err)
	}
	deps := gatehouse.Parts{
		Config: cfg, DB: db, Store: store, Hasher: hasher, Proxies: proxies,
		Log:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:       clock.Now,
		SecretKey: "test-secret-key-0123456789abcdefghijklmnop",
	}
	e := &Env{DB: db, Store: store, Clock: clock, Config: cfg, Hasher: hasher, log: deps.Log, logs: logs}
	if o.SMTP != nil {
		e.Mail = e.StartSender(t)
		deps.Mailer = e.Mail
	}
	if o.Deps != nil {
		o.Deps(&deps)
	}
	srv := gatehouse.Assemble(deps)
	if cfg.AccessRules != "" {
		rules, err := config.LoadRules(cfg.AccessRules)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Account.UseAccessRules(ctx, rules); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.App().Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	t.Cleanup(func() {
		_ = srv.App().ShutdownWithTimeout(5 * time.Second)
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	e.URL, e.Server = "http://"+ln.Addr().String(), srv
	return e
}

// StartSender runs an outbox sender on the env's database and the
// configured transport until t ends: another instance's sender, for tests
// of several senders sharing one outbox.
func (e *Env) StartSender(t testing.TB) *mail.Sender {
	t.Helper()
	tr, err := mail.FromConfig(e.Config, e.log)
	if err != nil {
		t.Fatal(err)
	}
	s := mail.NewSender(e.DB, tr, mail.Options{Poll: 25 * time.Millisecond, Backoff: 25 * time.Millisecond,
		MaxBackoff: 200 * time.Millisecond, Now: e.Clock.Now, Log: e.log})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// TTL is the time a session-store entry has left.
func (e *Env) TTL(t testing.TB, key string) time.Duration {
	t.Helper()
	s, ok := e.Store.(interface {
		TTL(context.Context, string) (time.Duration, error)
	})
	if !ok {
		t.Fatalf("%T has no TTL", e.Store)
	}
	d, err := s.TTL(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Logs returns what the server logged so far.
func (e *Env) Logs() string { return e.logs.String() }

var extOnce sync.Once

// OpenDB opens a fresh, empty database for t.
func OpenDB(t testing.TB) *bun.DB {
	t.Helper()
	db, err := models.Open(context.Background(), DatabaseURL(t))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// DatabaseURL makes a fresh, empty database for t and returns its URL: a
// SQLite file in t's temporary directory, or a PostgreSQL schema of its own
// (dropped when t ends) when GATEHOUSE_TEST_DATABASE_URL is set.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	base := os.Getenv("GATEHOUSE_TEST_DATABASE_URL")
	if base == "" {
		return "sqlite://" + filepath.Join(t.TempDir(), "test.db")
	}
	admin, err := models.Open(ctx, base)
	if err != nil {
		t.Fatalf("GATEHOUSE_TEST_DATABASE_URL is set but PostgreSQL does not answer: %v", err)
	}
	// pg_trgm lives in public, once, so per-test schemas share it.
	extOnce.Do(func() { _, _ = admin.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm") })
	schema := "t_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenStore opens the session store for t: Redis under a key prefix of its
// own, or the embedded store on db.
func OpenStore(t testing.TB, db *bun.DB) kv.Store {
	t.Helper()
	if os.Getenv("GATEHOUSE_TEST_REDIS_URL") == "" {
		if _, err := models.Migrate(context.Background(), db); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	t.Helper()
	redisURL := os.Getenv("GATEHOUSE_TEST_REDIS_URL")
	if redisURL == "" {
		return &models.KV{DB: db}
	}
	r, err := kv.NewRedis(redisURL, "gatehouse-test:"+randomHex(6)+":")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := r.Ping(ctx); err != nil {
		t.Fatalf("GATEHOUSE_TEST_REDIS_URL is set but Redis does not answer: %v", err)
	}
	t.Cleanup(func() {
		_ = r.Reset()
		_ = r.Close()
	})
	return r
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Clock is a clock tests can move forward; zero offset is the real time.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the current (possibly moved) time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// SyncBuffer is a log or output a test reads while a server writes it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// CreateUser inserts an active user with a password; mods adjust it first.
func (e *Env) CreateUser(t testing.TB, username, email, password string, mods ...func(*models.User)) *models.User {
	t.Helper()
	hash, err := e.Hasher.Hash(context.Background(), password)
	if err != nil {
		t.Fatal(err)
	}
	u := &models.User{
		Username: username, UsernameKey: auth.UsernameKey(username),
		Email: email, EmailKey: auth.EmailKey(email), PasswordHash: hash, IsActive: true,
	}
	for _, m := range mods {
		m(u)
	}
	if err := (models.Users{DB: e.DB}).Create(context.Background(), u); err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// Staff, Superuser and Inactive are CreateUser modifiers.
func Staff(u *models.User)     { u.IsStaff = true }
func Superuser(u *models.User) { u.IsStaff, u.IsSuperuser = true, true }
func Inactive(u *models.User)  { u.IsActive = false }
func Verified(u *models.User)  { u.EmailVerified = true }

// Grant gives a user permissions directly.
func (e *Env) Grant(t testing.TB, u *models.User, codes ...string) {
	t.Helper()
	for _, code := range codes {
		_, err := e.DB.ExecContext(context.Background(),
			"INSERT INTO user_permissions (user_id, permission_id) SELECT ?, id FROM permissions WHERE code = ?", u.ID, code)
		if err != nil {
			t.Fatalf("grant %s: %v", code, err)
		}
	}
	e.UsersChanged(u.ID)
}

// UsersChanged tells the principal cache that a test changed users straight
// in the database (the use cases do this themselves), so signed-in
// sessions see the change on their next request.
func (e *Env) UsersChanged(ids ...int64) { e.bump(ids, nil) }

// GroupChanged is UsersChanged for a group changed straight in the database.
func (e *Env) GroupChanged(id int64) { e.bump(nil, []int64{id}) }

func (e *Env) bump(users, groups []int64) {
	if err := e.Store.(kv.Sessions).Bump(context.Background(), users, groups, sessions.VersionTTL); err != nil {
		panic(fmt.Sprintf("testenv: bump versions: %v", err))
	}
}

// Must fails the test on err.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Fmt is fmt.Sprintf, for short test tables.
func Fmt(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// Contains reports whether body contains every part.
func Contains(body string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(body, p) {
			return false
		}
	}
	return true
}
