package handlers_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

// benchUsers is the size of the benchmark's user table.
const benchUsers = 1_000_000

// TestAdminListBenchmark measures the user list against PostgreSQL with a
// million users. It runs only when GATEHOUSE_BENCH_DATABASE_URL names a
// database of its own (it seeds it up to a million users on the first run,
// and keeps them for the next): scripts/bench-admin.sh. Times are the
// server's own (the duration of each request in its request log) and, for
// comparison, the client's round trip over loopback.
func TestAdminListBenchmark(t *testing.T) {
	dbURL := os.Getenv("GATEHOUSE_BENCH_DATABASE_URL")
	if dbURL == "" {
		t.Skip("set GATEHOUSE_BENCH_DATABASE_URL to a PostgreSQL database for the benchmark (scripts/bench-admin.sh)")
	}
	ctx := context.Background()
	db, err := models.Open(ctx, dbURL)
	testenv.Must(t, err)
	defer db.Close()
	if !models.IsPostgres(db) {
		t.Fatal("the benchmark is for PostgreSQL")
	}
	_, err = models.Migrate(ctx, db)
	testenv.Must(t, err)

	hasher := auth.NewHasher(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)
	var seeded int
	testenv.Must(t, db.NewRaw("SELECT count(*) FROM users WHERE email_key LIKE '%@example.test'").Scan(ctx, &seeded))
	if seeded < benchUsers {
		hash, err := hasher.Hash(ctx, "gatehouse-demo-password")
		testenv.Must(t, err)
		start := time.Now()
		res, err := models.Seed(ctx, db, models.SeedOptions{Users: benchUsers - seeded, PasswordHash: hash})
		testenv.Must(t, err)
		t.Logf("seeded %d users in %s (COPY)", res.Users, time.Since(start).Round(time.Millisecond))
	}
	const admin = "benchadmin"
	users := models.Users{DB: db}
	if _, err := users.ByUsername(ctx, admin); models.IsNotFound(err) {
		hash, err := hasher.Hash(ctx, adminPW)
		testenv.Must(t, err)
		testenv.Must(t, users.Create(ctx, &models.User{Username: admin, UsernameKey: admin, Email: admin + "@bench.invalid",
			EmailKey: admin + "@bench.invalid", PasswordHash: hash, IsActive: true, IsStaff: true, IsSuperuser: true}))
	}

	// A real server on this database, logging each request's duration.
	timings := &durations{}
	cfg, err := config.FromEnv(func(k string) string { return map[string]string{"GATEHOUSE_ADDR": "127.0.0.1:0"}[k] })
	testenv.Must(t, err)
	proxies, _ := auth.ParseTrustedProxies("")
	srv := gatehouse.Assemble(gatehouse.Parts{Config: cfg, DB: db, Store: &models.KV{DB: db}, Hasher: hasher, Proxies: proxies,
		Log: slog.New(timings), SecretKey: "bench-secret-key-0123456789abcdefghijklmnop"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err)
	go func() { _ = srv.App().Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	defer srv.App().Shutdown()
	env := &testenv.Env{URL: "http://" + ln.Addr().String()}
	c := env.Client(t)
	c.Login(admin, adminPW)

	// The 100th page, reached by following the cursors.
	url := "/admin/users"
	for range 99 {
		r := c.Get(url)
		mustStatus(t, r, http.StatusOK, url)
		url = link(nextLink, r.Body)
	}
	page100 := url
	first := c.Get(page100)
	// benchadmin sorts first, so 4,950 rows before the page end at user004949.
	if got := listed(first.Body); len(got) != 50 || got[0] != "user004950" {
		t.Fatalf("100th page starts at %v, want user004950", got[:min(len(got), 1)])
	}

	scenarios := []struct{ name, url string }{
		{"first page", "/admin/users"},
		{"q=user0123 (100 matches)", "/admin/users?q=user0123"},
		{"q=user054321 (one user)", "/admin/users?q=user054321"},
		{"filter active=no", "/admin/users?active=no"},
		{"sort=-joined", "/admin/users?sort=-joined"},
		{"100th page by cursors", page100},
		{"filter staff=yes&sort=-last_login", "/admin/users?staff=yes&sort=-last_login"},
		{"filter superuser=yes", "/admin/users?superuser=yes"},
		{"filter group=Billing&sort=email", "/admin/users?group=Billing&sort=email"},
		{"sort=last_login", "/admin/users?sort=last_login"},
		{"q=example.test (all match)", "/admin/users?q=example.test"},
		{"q=nobody-at-all (no match)", "/admin/users?q=nobody-at-all"},
	}
	const warm, runs = 5, 200
	var report strings.Builder
	fmt.Fprintf(&report, "\n%-36s %12s %12s %12s %12s\n", "scenario (1,000,000 users)", "server p50", "server p99", "client p50", "client p99")
	for _, sc := range scenarios {
		for range warm {
			mustStatus(t, c.Get(sc.url), http.StatusOK, sc.url)
		}
		timings.reset()
		var client []time.Duration
		for range runs {
			start := time.Now()
			r := c.Get(sc.url)
			client = append(client, time.Since(start))
			mustStatus(t, r, http.StatusOK, sc.url)
		}
		server := timings.take()
		if len(server) != runs {
			t.Fatalf("%s: %d server timings for %d requests", sc.name, len(server), runs)
		}
		fmt.Fprintf(&report, "%-36s %12s %12s %12s %12s\n", sc.name,
			ms(pct(server, 50)), ms(pct(server, 99)), ms(pct(client, 50)), ms(pct(client, 99)))
		if pct(server, 50) > 20*time.Millisecond {
			t.Errorf("%s: median %s, over the 20 ms target", sc.name, ms(pct(server, 50)))
		}
	}
	t.Log(report.String())

	plan, err := users.ExplainList(ctx, models.UserListParams{Q: "user0123", Sort: models.SortUsername, PageSize: forms.DefaultPageSize})
	testenv.Must(t, err)
	t.Logf("EXPLAIN ANALYZE of the search q=user0123:\n%s", plan)
	if os.Getenv("GATEHOUSE_BENCH_EXPLAIN") != "" {
		for _, p := range []models.UserListParams{
			{Sort: models.SortUsername},
			{Q: "user054321", Sort: models.SortUsername},
			{Active: new(bool), Sort: models.SortUsername},
			{Sort: models.SortJoined, Desc: true},
			{Staff: ptrue(), Sort: models.SortLastLogin, Desc: true},
			{Superuser: ptrue(), Sort: models.SortUsername},
			{Group: "Billing", Sort: models.SortEmail},
			{Q: "example.test", Sort: models.SortUsername},
			{Q: "nobody-at-all", Sort: models.SortUsername},
		} {
			p.PageSize = forms.DefaultPageSize
			plan, err := users.ExplainList(ctx, p)
			testenv.Must(t, err)
			t.Logf("%+v:\n%s", p, plan)
		}
	}
}

func ptrue() *bool { b := true; return &b }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// pct is the p-th percentile (nearest rank) of ds.
func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p+99)/100 - 1
	return s[max(i, 0)]
}

// durations is a slog handler that keeps the duration of each request the
// server logs, and drops everything else.
type durations struct {
	mu sync.Mutex
	ds []time.Duration
}

func (d *durations) Enabled(context.Context, slog.Level) bool { return true }
func (d *durations) WithAttrs([]slog.Attr) slog.Handler       { return d }
func (d *durations) WithGroup(string) slog.Handler            { return d }
func (d *durations) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "request" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "duration_ms" {
			d.mu.Lock()
			d.ds = append(d.ds, time.Duration(a.Value.Float64()*float64(time.Millisecond)))
			d.mu.Unlock()
			return false
		}
		return true
	})
	return nil
}

func (d *durations) reset() { d.mu.Lock(); d.ds = nil; d.mu.Unlock() }

func (d *durations) take() []time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.ds
	d.ds = nil
	return out
}
