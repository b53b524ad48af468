// Package chaos is the load-and-fault run (`task chaos`): two gatehouse
// processes on PostgreSQL and Redis behind a round-robin balancer, virtual
// users signing up, signing in, browsing, changing passwords and signing
// out, while Redis and then PostgreSQL are cut off for a while and one
// instance is stopped with SIGTERM and started again. Result.Verdict holds
// the assertions; internal/chaos/run is the command.
package chaos

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"github.com/redis/go-redis/v9"
)

// Config is one run.
type Config struct {
	Duration    time.Duration // the load; the faults are spread over it
	Users       int
	Outage      time.Duration // how long each backend stays away
	Think       [2]time.Duration
	DatabaseURL string // PostgreSQL; the run makes and drops a schema of its own
	RedisURL    string // redis://host:port; the run claims an empty database
	Bin         string // the gatehouse binary; built from ./cmd/gatehouse when empty
	Env         []string
	Limits      Limits
	Log         io.Writer
}

const (
	secretKey  = "chaos-run-secret-key-0123456789abcdefghij"
	redisClaim = "gatehouse-chaos:claim"
)

// Run runs the whole thing; an error means it could not run, a failed
// assertion is in Result.Verdict.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	logf := func(format string, a ...any) { fmt.Fprintf(cfg.Log, "chaos: "+format+"\n", a...) }
	if minimum := 6 * cfg.Outage; cfg.Duration < minimum {
		return nil, fmt.Errorf("duration %s: at least %s (six outages' time) so the faults do not overlap", cfg.Duration, minimum)
	}
	dir, err := os.MkdirTemp("", "gatehouse-chaos-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	bin := cfg.Bin
	if bin == "" {
		bin = filepath.Join(dir, "gatehouse")
		logf("building ./cmd/gatehouse")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/gatehouse/gatehouse/cmd/gatehouse")
		build.Stdout, build.Stderr = cfg.Log, cfg.Log
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
	}

	dbURL, dropSchema, err := freshSchema(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer dropSchema()
	redisURL, releaseRedis, err := claimRedisDB(ctx, cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	defer releaseRedis()
	logf("database %s, redis %s", redact(dbURL), redisURL)

	pu, _ := url.Parse(dbURL)
	ru, _ := url.Parse(redisURL)
	pgProxy, err := newTCPProxy(pu.Host)
	if err != nil {
		return nil, err
	}
	defer pgProxy.down()
	redisProxy, err := newTCPProxy(ru.Host)
	if err != nil {
		return nil, err
	}
	defer redisProxy.down()
	pu.Host, ru.Host = pgProxy.addr, redisProxy.addr

	lbLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + lbLn.Addr().String()
	var insts []*instance
	for _, name := range []string{"instance-a", "instance-b"} {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		addr := "127.0.0.1:" + port
		env := []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
			"GATEHOUSE_ADDR=" + addr, "GATEHOUSE_BASE_URL=" + base,
			"GATEHOUSE_DATABASE_URL=" + pu.String(), "GATEHOUSE_REDIS_URL=" + ru.String(),
			"GATEHOUSE_SECRET_KEY=" + secretKey, "GATEHOUSE_TRUSTED_PROXIES=127.0.0.1/32",
		}
		insts = append(insts, &instance{name: name, bin: bin, addr: addr, logPath: filepath.Join(dir, name+".log"),
			env: append(env, cfg.Env...)})
	}
	defer func() {
		for _, in := range insts {
			if _, err := in.terminate(10 * time.Second); err != nil && !strings.Contains(err.Error(), "not running") {
				logf("%s at the end: %v", in.name, err)
			}
			in.kill()
		}
	}()
	// One after the other: the first migrates the new schema.
	for _, in := range insts {
		took, err := in.start(ctx)
		if err != nil {
			return nil, withLog(err, in)
		}
		logf("%s ready at %s in %s", in.name, in.addr, took.Round(time.Millisecond))
	}

	lb := newBalancer([]string{insts[0].url(), insts[1].url()})
	srv := &http.Server{Handler: lb, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(lbLn) }()
	defer srv.Close()

	res := &Result{Started: time.Now(), PeakRSS: map[string]int64{}}
	watchCtx, stopWatch := context.WithCancel(ctx)
	var watchers sync.WaitGroup
	probes := &probeLog{}
	for _, in := range insts {
		watchers.Add(2)
		go func() { defer watchers.Done(); every(watchCtx, 250*time.Millisecond, in.sampleRSS) }()
		go func() {
			defer watchers.Done()
			every(watchCtx, 100*time.Millisecond, func() { probes.add(in.name, ready(in.url())) })
		}()
	}

	rec := &recorder{}
	tr := &http.Transport{MaxIdleConnsPerHost: cfg.Users, IdleConnTimeout: 30 * time.Second}
	loadCtx, stopLoad := context.WithTimeout(ctx, cfg.Duration)
	defer stopLoad()
	var users sync.WaitGroup
	for i := range cfg.Users {
		v := newVU(i, base, tr, rec, cfg.Think)
		users.Add(1)
		// The users arrive over most of the time before the first fault,
		// as a real crowd does: a hundred sign-ups in one second would only
		// measure the queue for the hashing slots.
		after := time.Duration(i) * cfg.Duration / 6 * 8 / 10 / time.Duration(cfg.Users)
		go func() { defer users.Done(); v.run(loadCtx, after) }()
	}
	logf("%d virtual users for %s against %s", cfg.Users, cfg.Duration, base)

	// The faults, one after the other.
	faultErr := make(chan error, 1)
	go func() {
		faultErr <- faults(loadCtx, cfg, res, probes, insts, pgProxy, redisProxy, logf)
	}()
	users.Wait()
	stopLoad()
	if err := <-faultErr; err != nil {
		stopWatch()
		watchers.Wait()
		return nil, err
	}
	if ctx.Err() != nil {
		stopWatch()
		watchers.Wait()
		return nil, ctx.Err()
	}
	res.Samples = rec.samples
	sort.Slice(res.Samples, func(i, j int) bool { return res.Samples[i].start.Before(res.Samples[j].start) })
	logf("load done: %d requests; signing in every account signed up", len(rec.samples))

	res.Accounts = len(rec.accounts)
	res.SignedIn, res.Missing = verify(ctx, base, tr, rec.accounts, dbURL)
	stopWatch()
	watchers.Wait()
	for _, o := range res.Outages {
		if !o.restart {
			o.readyBack = probes.readyAfter(o.up, insts)
		}
	}
	for _, in := range insts {
		res.PeakRSS[in.name] = in.peak()
		res.ErrorLines = append(res.ErrorLines, in.errorLines(20)...)
	}
	res.Failovers, res.Lost = lb.failovers.Load(), lb.lost.Load()
	for _, why := range lb.lostWhy {
		res.ErrorLines = append(res.ErrorLines, "balancer lost "+why)
	}
	return res, nil
}

func withLog(err error, in *instance) error {
	b, _ := os.ReadFile(in.logPath)
	return fmt.Errorf("%w\n%s", err, b)
}

func faults(ctx context.Context, cfg Config, res *Result, probes *probeLog, insts []*instance, pg, rd *tcpProxy, logf func(string, ...any)) error {
	at := func(frac float64) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Until(res.Started.Add(time.Duration(float64(cfg.Duration) * frac)))):
			return true
		}
	}
	cut := func(name string, p *tcpProxy, sessionStore bool) error {
		o := &outage{name: name + " cut off", sessionStore: sessionStore, down: time.Now()}
		p.down()
		logf("%s cut off", name)
		select {
		case <-ctx.Done():
		case <-time.After(cfg.Outage):
		}
		if err := p.up(); err != nil {
			return fmt.Errorf("%s back: %w", name, err)
		}
		o.up = time.Now()
		res.Outages = append(res.Outages, o)
		logf("%s back", name)
		return nil
	}
	if at(1.0 / 6) {
		if err := cut("redis", rd, true); err != nil {
			return err
		}
	}
	if at(5.0 / 12) {
		if err := cut("postgresql", pg, false); err != nil {
			return err
		}
	}
	if at(2.0 / 3) {
		in := insts[0]
		o := &outage{name: in.name + " SIGTERM", restart: true, down: time.Now()}
		logf("SIGTERM to %s", in.name)
		took, err := in.terminate(30 * time.Second)
		o.stopTook = took
		if err != nil {
			o.exit = err.Error()
		}
		o.up = time.Now()
		ready, err := in.start(context.Background())
		if err != nil {
			return err
		}
		o.readyBack = ready
		res.Outages = append(res.Outages, o)
		logf("%s stopped in %s, started again, ready in %s", in.name, took.Round(time.Millisecond), ready.Round(time.Millisecond))
	}
	return nil
}

func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// probeLog records each instance's /readyz answers.
type probeLog struct {
	mu sync.Mutex
	ok map[string][]time.Time
}

func (p *probeLog) add(name string, ok bool) {
	if !ok {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ok == nil {
		p.ok = map[string][]time.Time{}
	}
	p.ok[name] = append(p.ok[name], time.Now())
}

// readyAfter is how long after t every instance first answered /readyz 200.
func (p *probeLog) readyAfter(t time.Time, insts []*instance) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	var worst time.Duration
	for _, in := range insts {
		first := time.Duration(-1)
		for _, at := range p.ok[in.name] {
			if !at.Before(t) {
				first = at.Sub(t)
				break
			}
		}
		if first < 0 {
			return time.Hour // never
		}
		worst = max(worst, first)
	}
	return worst
}

// verify signs in every account signed up with a 303, through the
// balancer, as a new browser; it returns how many did and why the others
// did not.
func verify(ctx context.Context, base string, tr http.RoundTripper, accts []*account, dbURL string) (int, []string) {
	var (
		mu      sync.Mutex
		ok      int
		missing []string
		wg      sync.WaitGroup
	)
	work := make(chan *account)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				if err := signInFresh(ctx, base, tr, a, w); err != nil {
					mu.Lock()
					missing = append(missing, fmt.Sprintf("%s does not sign in: %v", a.username, err))
					mu.Unlock()
					continue
				}
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	for _, a := range accts {
		work <- a
	}
	close(work)
	wg.Wait()
	if len(missing) > 0 {
		if db, err := sql.Open("pgx", dbURL); err == nil {
			for i, m := range missing {
				name := strings.Fields(m)[0]
				var n int
				if err := db.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE username = $1", name).Scan(&n); err == nil && n == 0 {
					missing[i] += " (no such user in the database)"
				}
			}
			db.Close()
		}
	}
	return ok, missing
}

func signInFresh(ctx context.Context, base string, tr http.RoundTripper, a *account, worker int) error {
	jar, _ := cookiejar.New(nil)
	v := &vu{base: base, rec: &recorder{}, ip: fmt.Sprintf("10.78.0.%d", worker+1), client: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if r := v.do(ctx, http.MethodGet, "/login", nil); r.status != http.StatusOK {
		return fmt.Errorf("GET /login: %d", r.status)
	}
	var last answer
	for _, pw := range a.passwords {
		last = v.do(ctx, http.MethodPost, "/login", url.Values{"login": {a.username}, "password": {pw}})
		if last.status == http.StatusSeeOther {
			return nil
		}
	}
	return fmt.Errorf("POST /login: %d %s", last.status, heading(last.body))
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, nil
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "?"
	}
	return p.Redacted()
}

// freshSchema makes an empty PostgreSQL schema of the run's own and returns
// the URL that uses it and a function that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := admin.PingContext(pctx); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("PostgreSQL at %s does not answer: %w", redact(base), err)
	}
	// pg_trgm lives in public, as in the tests, so the schema can use it.
	_, _ = admin.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm")
	schema := "chaos_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// claimRedisDB finds an empty Redis database (1–15) and claims it with a
// key, so the instances' keys (prefix "gatehouse:", which the binary
// fixes) meet nobody else's; at the end it deletes the keys it made there.
func claimRedisDB(ctx context.Context, base string) (string, func(), error) {
	opts, err := redis.ParseURL(base)
	if err != nil {
		return "", nil, fmt.Errorf("redis url: %w", err)
	}
	var lastErr error
	for db := 1; db < 16; db++ {
		o := *opts
		o.DB = db
		c := redis.NewClient(&o)
		n, err := c.DBSize(ctx).Result()
		if err != nil {
			lastErr = err
			c.Close()
			if db == 1 {
				return "", nil, fmt.Errorf("Redis at %s does not answer: %w", o.Addr, err)
			}
			break // fewer databases configured
		}
		if n != 0 {
			c.Close()
			continue
		}
		if ok, err := c.SetNX(ctx, redisClaim, time.Now().String(), 6*time.Hour).Result(); err != nil || !ok {
			c.Close()
			continue
		}
		release := func() {
			ctx := context.Background()
			iter := c.Scan(ctx, 0, "gatehouse:*", 500).Iterator()
			var keys []string
			for iter.Next(ctx) {
				keys = append(keys, iter.Val())
				if len(keys) == 500 {
					c.Del(ctx, keys...)
					keys = keys[:0]
				}
			}
			keys = append(keys, redisClaim)
			c.Del(ctx, keys...)
			c.Close()
		}
		u, _ := url.Parse(base)
		u.Path = fmt.Sprintf("/%d", db)
		return u.String(), release, nil
	}
	if lastErr == nil {
		lastErr = errors.New("every one holds keys")
	}
	return "", nil, fmt.Errorf("no empty Redis database to claim among 1–15: %w", lastErr)
}
