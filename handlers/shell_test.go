package handlers_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/kv"
	"github.com/gatehouse/gatehouse/models"
)

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	for _, p := range []string{"/", "/login", "/nope", "/healthz"} {
		r := c.Get(p)
		csp := r.Header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" || r.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", p, r.Header)
		}
	}
	if strings.Contains(c.Get("/login").Body, "<script>") {
		t.Error("inline script on a page")
	}
}

func TestStaticAssetsAreVersionedAndCached(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	page := c.Get("/").Body
	for _, name := range []string{"app.css", "htmx.min.js", "app.js"} {
		i := strings.Index(page, "/static/"+name+"?v=")
		if i < 0 {
			t.Fatalf("%s not linked with a version", name)
		}
		path := page[i:]
		path = path[:strings.IndexByte(path, '"')]
		r := c.Get(path)
		if r.StatusCode != 200 || len(r.Body) < 100 {
			t.Errorf("%s: %d, %d bytes", path, r.StatusCode, len(r.Body))
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
	}
	if !strings.Contains(c.Get("/static/htmx.min.js").Body, `version:"2.0.11"`) && !strings.Contains(c.Get("/static/htmx.min.js").Body, "2.0.11") {
		t.Error("htmx is not 2.0.11")
	}
}

func TestNotFoundPageInLayout(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	r := env.Client(t).Get("/no/such/page")
	if r.StatusCode != 404 || !testenv.Contains(r.Body, `<nav id="nav"`, `<main id="main"`, "Page not found", `href="/"`) {
		t.Fatalf("404: %d\n%s", r.StatusCode, r.Body)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	if r := c.Get("/healthz"); r.StatusCode != 200 {
		t.Fatalf("healthz %d", r.StatusCode)
	}
	if r := c.Get("/readyz"); r.StatusCode != 200 {
		t.Fatalf("readyz %d %s", r.StatusCode, r.Body)
	}
}

// A database or session store at a closed port turns /readyz (and pages
// that need it) into 503s naming the culprit, quickly.
func TestReadinessWithDeadBackends(t *testing.T) {
	t.Parallel()
	deadDB := bun.NewDB(mustOpenPgx(t, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=1"), pgdialect.New())
	deadRedis, err := kv.NewRedis("redis://127.0.0.1:1/0", "x:")
	testenv.Must(t, err)

	env := testenv.New(t, testenv.Options{Deps: func(d *gatehouse.Parts) { d.DB = deadDB }})
	start := time.Now()
	r := env.Client(t).Get("/readyz")
	if r.StatusCode != 503 || !strings.Contains(r.Body, "database") || time.Since(start) > 3*time.Second {
		t.Fatalf("dead database: %d %q after %v", r.StatusCode, r.Body, time.Since(start))
	}
	env2 := testenv.New(t, testenv.Options{Deps: func(d *gatehouse.Parts) { d.Store = deadRedis }})
	c := env2.Client(t)
	r = c.Get("/readyz")
	if r.StatusCode != 503 || !strings.Contains(r.Body, "session store") || strings.Contains(r.Body, "database:") {
		t.Fatalf("dead store: %d %q", r.StatusCode, r.Body)
	}
	// An anonymous page needs no store (its CSRF token is stateless); a
	// sign-in does.
	if r = c.Get("/login"); r.StatusCode != 200 {
		t.Fatalf("anonymous page with a dead store: %d", r.StatusCode)
	}
	start = time.Now()
	r = c.Post("/login", url.Values{"login": {"nobody"}, "password": {"a long secret phrase"}})
	if r.StatusCode != 503 || !strings.Contains(r.Body, "not answering") || time.Since(start) > 4*time.Second {
		t.Fatalf("page with a dead store: %d after %v\n%s", r.StatusCode, time.Since(start), r.Body)
	}
}

// With PostgreSQL and Redis behind proxies that go down and come back, the
// server answers 503 while they are away and recovers by itself.
func TestRecoversWhenBackendsReturn(t *testing.T) {
	t.Parallel()
	pgURL, redisURL := os.Getenv("GATEHOUSE_TEST_DATABASE_URL"), os.Getenv("GATEHOUSE_TEST_REDIS_URL")
	if pgURL == "" || redisURL == "" {
		t.Log("needs GATEHOUSE_TEST_DATABASE_URL and GATEHOUSE_TEST_REDIS_URL; covered by the PostgreSQL + Redis run")
		return
	}
	pu, _ := url.Parse(pgURL)
	ru, _ := url.Parse(redisURL)
	pgProxy := testenv.NewProxy(t, pu.Host)
	redisProxy := testenv.NewProxy(t, ru.Host)
	var proxiedDB *bun.DB
	env := testenv.New(t, testenv.Options{Deps: func(d *gatehouse.Parts) {
		// Same schema as the test database, through the proxy.
		var search string
		testenv.Must(t, d.DB.NewRaw("SELECT current_setting('search_path')").Scan(context.Background(), &search))
		q := pu.Query()
		q.Set("search_path", strings.ReplaceAll(search, " ", ""))
		q.Set("connect_timeout", "1")
		u := *pu
		u.Host, u.RawQuery = pgProxy.Addr, q.Encode()
		db, err := models.Open(context.Background(), u.String())
		testenv.Must(t, err)
		proxiedDB = db
		d.DB = db
		r, err := kv.NewRedis("redis://"+redisProxy.Addr+ru.Path, "gatehouse-test:recover:"+strings.ReplaceAll(search, ",", "")+":")
		testenv.Must(t, err)
		d.Store = r
	}})
	defer proxiedDB.Close()
	env.CreateUser(t, "wes", "wes@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Login("wes", "a long secret phrase")

	for _, tc := range []struct {
		proxy *testenv.Proxy
		name  string
	}{{pgProxy, "database"}, {redisProxy, "session store"}} {
		tc.proxy.Down()
		r := c.Get("/readyz")
		if r.StatusCode != 503 || !strings.Contains(r.Body, tc.name) {
			t.Fatalf("%s down: readyz %d %q", tc.name, r.StatusCode, r.Body)
		}
		if r := c.Get("/account"); r.StatusCode != 503 {
			t.Fatalf("%s down: /account %d", tc.name, r.StatusCode)
		}
		tc.proxy.Up(t)
		deadline := time.Now().Add(5 * time.Second)
		for {
			r := c.Get("/readyz")
			if r.StatusCode == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s back: readyz still %d %q", tc.name, r.StatusCode, r.Body)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if r := c.Get("/account"); r.StatusCode != 200 || !strings.Contains(r.Body, "wes") {
			t.Fatalf("%s back: session lost: %d", tc.name, r.StatusCode)
		}
	}
}

func mustOpenPgx(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	testenv.Must(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// A flood of sign-ins waits for hashing slots; a request that cannot get
// one in time is told the server is busy (503), not that it broke.
func TestHashingFloodIsBusyNotBroken(t *testing.T) {
	t.Parallel()
	slow := auth.NewHasher(auth.Params{Memory: 1024, Time: 300, Threads: 1, SaltLen: 16, KeyLen: 32}, 1)
	env := testenv.New(t, testenv.Options{Deps: func(d *gatehouse.Parts) { d.Hasher = slow }})
	// Enough requests that, one hash at a time, the last ones must wait
	// past the request deadline however fast this machine hashes. One
	// account each: more parallel attempts on one account than its limit
	// are refused (429) before any hashing.
	const n = 16
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		name := testenv.Fmt("yuri%d", i)
		env.CreateUser(t, name, name+"@example.com", "a long secret phrase")
		c := env.Client(t)
		c.Get("/login")
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- c.Post("/login", url.Values{"login": {name}, "password": {"a long secret phrase"}}).StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts[http.StatusSeeOther] == 0 || counts[http.StatusServiceUnavailable] == 0 || counts[500] != 0 {
		t.Fatalf("statuses: %v (want some sign-ins through, the rest 503, no 500)", counts)
	}
}
