package handlers_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/kv"
	"github.com/gatehouse/gatehouse/models"
)

// queryLog records the SQL statements and Redis round trips of an env
// while it is on.
type queryLog struct {
	on    atomic.Bool
	mu    sync.Mutex
	sql   []string
	redis []string
}

func (l *queryLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (l *queryLog) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if l.on.Load() {
		l.mu.Lock()
		l.sql = append(l.sql, e.Query)
		l.mu.Unlock()
	}
}

func (l *queryLog) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (l *queryLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if l.on.Load() {
			l.mu.Lock()
			l.redis = append(l.redis, cmd.Name())
			l.mu.Unlock()
		}
		return next(ctx, cmd)
	}
}

func (l *queryLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if l.on.Load() {
			l.mu.Lock()
			l.redis = append(l.redis, "pipeline")
			l.mu.Unlock()
		}
		return next(ctx, cmds)
	}
}

// redisSessionRead names the one round trip of a signed-in request on
// Redis: the session script, or, once this instance keeps the session's
// principal, an MGET of the session and its versions (kv/redis_local.go).
func redisSessionRead(cmd string) bool { return cmd == "evalsha" || cmd == "mget" }

func watch(env *testenv.Env) *queryLog {
	l := &queryLog{}
	env.DB.AddQueryHook(l)
	if r, ok := env.Store.(*kv.Redis); ok {
		r.AddHook(l)
	}
	return l
}

// during records what f does.
func (l *queryLog) during(f func()) (sql, rds []string) {
	l.mu.Lock()
	l.sql, l.redis = nil, nil
	l.mu.Unlock()
	l.on.Store(true)
	f()
	l.on.Store(false)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sql, l.redis
}

// A signed-in request whose principal is cached reads neither the user nor
// its groups or permissions: on the SQL store its only session read is one
// statement; on Redis it is one round trip. /account and /account/password
// read nothing else (a pending email change is cached with the principal).
func TestSignedInRequestIsOneStoreRead(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	log := watch(env)
	u := env.CreateUser(t, "oona", "oona@example.com", "a long secret phrase", testenv.Staff)
	addToGroup(t, env, "Readers", u)
	env.Grant(t, u, "users.view")
	c := env.Client(t)
	c.Login("oona", "a long secret phrase")
	if r := c.Get("/account"); r.StatusCode != 200 || !strings.Contains(r.Body, "Readers") || !strings.Contains(r.Body, "users.view") {
		t.Fatalf("first /account: %d", r.StatusCode)
	}
	userTables := []string{"users", "groups", "user_groups", "group_permissions", "user_permissions", "permissions"}
	for _, path := range []string{"/account", "/account/password", "/admin/users?q=nobody"} {
		var r *testenv.Response
		sql, rds := log.during(func() { r = c.Get(path) })
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", path, r.StatusCode)
		}
		var sessionReads int
		for _, q := range sql {
			low := strings.ToLower(q)
			if strings.Contains(low, "kv_entries") {
				sessionReads++
				if !strings.HasPrefix(strings.TrimSpace(low), "select") {
					t.Errorf("%s wrote to the store: %s", path, q)
				}
				continue
			}
			if path == "/admin/users?q=nobody" {
				continue // the list itself reads users
			}
			for _, table := range userTables {
				if strings.Contains(low, " "+table+" ") || strings.Contains(low, " "+table+"\n") || strings.Contains(low, `"`+table+`"`) {
					t.Errorf("%s queried %s: %s", path, table, q)
				}
			}
		}
		if testenv.Redis() {
			if sessionReads != 0 || len(rds) != 1 || !redisSessionRead(rds[0]) {
				t.Errorf("%s: Redis round trips %v, SQL store reads %d; want one session read", path, rds, sessionReads)
			}
		} else if sessionReads != 1 {
			t.Errorf("%s: %d session-store statements, want 1: %q", path, sessionReads, sql)
		}
		if path != "/admin/users?q=nobody" && len(sql) != sessionReads {
			t.Errorf("%s: SQL beyond the session read: %q", path, sql)
		}
	}
}

// Two instances on one database and store: a change made on A is seen by
// a session on B at its next request (B's cached principal is stale).
func TestChangesReachOtherInstancesAtOnce(t *testing.T) {
	t.Parallel()
	a := testenv.New(t)
	b := testenv.New(t, testenv.Options{Peer: a})
	ctx := context.Background()
	root := a.CreateUser(t, "root", "root@example.com", adminPW, testenv.Superuser)
	actor := auth.Actor{ID: root.ID, IsSuperuser: true}
	u := b.CreateUser(t, "vera", "vera@example.com", adminPW, testenv.Staff)
	g := addToGroup(t, a, "Auditors", u)
	_, err := a.Server.Account.SaveGroup(ctx, actor, g.ID, "Auditors", []string{"users.view"}, account.Client{})
	testenv.Must(t, err)
	vb := b.Client(t)
	vb.Login("vera", adminPW)
	for range 2 { // the second answer comes from the cache
		if r := vb.Get("/admin/users"); r.StatusCode != 200 {
			t.Fatalf("group grant on B: %d", r.StatusCode)
		}
	}

	// The group loses the permission on A (through the admin form).
	rootA := a.Client(t)
	rootA.Login("root", adminPW)
	rootA.Get(testenv.Fmt("/admin/groups/%d", g.ID))
	r := rootA.Post(testenv.Fmt("/admin/groups/%d", g.ID), url.Values{"name": {"Auditors"}})
	if r.StatusCode >= 400 {
		t.Fatalf("save group on A: %d\n%s", r.StatusCode, r.Body)
	}
	if r := vb.Get("/admin/users"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("B after the group lost users.view on A: %d", r.StatusCode)
	}
	// Renamed and granted again through the account API.
	_, err = a.Server.Account.SaveGroup(ctx, actor, g.ID, "Inspectors", []string{"users.view"}, account.Client{})
	testenv.Must(t, err)
	if r := vb.Get("/admin/users"); r.StatusCode != 200 {
		t.Fatalf("B after the grant on A: %d", r.StatusCode)
	}
	if r := vb.Get("/account"); !strings.Contains(r.Body, "Inspectors") || strings.Contains(r.Body, "Auditors") {
		t.Fatalf("B shows the old group name:\n%s", r.Body)
	}
	// Deactivated on A: B's next request is signed out.
	_, err = a.Server.Account.SetUsersActive(ctx, actor, []int64{u.ID}, false, account.Client{})
	testenv.Must(t, err)
	if r := vb.Get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("B after deactivation on A: %d", r.StatusCode)
	}
}

// "Last seen" is written at most once a minute; the write extends the
// session's life (a remembered one's by 14 days).
func TestLastSeenWrittenOncePerMinute(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	log := watch(env)
	u := env.CreateUser(t, "wanda", "wanda@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Post("/login", url.Values{"login": {"wanda"}, "password": {"a long secret phrase"}, "remember": {"on"}})
	seen := func() time.Time {
		t.Helper()
		ss, err := env.Server.Sessions.List(context.Background(), u.ID)
		testenv.Must(t, err)
		if len(ss) != 1 {
			t.Fatalf("%d sessions", len(ss))
		}
		return ss[0].SeenAt
	}
	signedIn := seen()
	c.Get("/account") // fills the principal cache
	env.Clock.Advance(50 * time.Second)
	var r *testenv.Response
	sql, rds := log.during(func() { r = c.Get("/account") })
	if r.StatusCode != 200 || !seen().Equal(signedIn) {
		t.Fatalf("seen moved within a minute: %v → %v", signedIn, seen())
	}
	for _, q := range sql {
		if strings.Contains(strings.ToLower(q), "insert") || strings.Contains(strings.ToLower(q), "update") {
			t.Errorf("a request within a minute of the last write wrote: %s", q)
		}
	}
	for _, cmd := range rds {
		if !redisSessionRead(cmd) {
			t.Errorf("a request within a minute of the last write sent %s", cmd)
		}
	}
	if sc := sessionSetCookie(r); sc != "" {
		t.Errorf("cookie set without a write: %s", sc)
	}
	env.Clock.Advance(20 * time.Second)
	r = c.Get("/account")
	if got := seen(); !got.After(signedIn) || got.Before(env.Clock.Now().Add(-2*time.Second)) {
		t.Fatalf("seen after a minute: %v (now %v)", got, env.Clock.Now())
	}
	if sc := strings.ToLower(sessionSetCookie(r)); !strings.Contains(sc, "max-age=1209600") {
		t.Errorf("remembered cookie not renewed with the write: %q", sc)
	}
	if ttl := env.TTL(t, sessionDataKey(c.Cookie("gatehouse_session"))); ttl < 13*24*time.Hour {
		t.Errorf("remembered session's store TTL after the write: %v", ttl)
	}
}

// GATEHOUSE_COOKIE_DOMAIN is the session cookie's Domain, and sign-out
// clears the cookie on that domain.
func TestCookieDomain(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{Env: map[string]string{
		"GATEHOUSE_BASE_URL": "http://auth.example.com", "GATEHOUSE_COOKIE_DOMAIN": "example.com",
	}})
	env.CreateUser(t, "xia", "xia@example.com", "a long secret phrase")
	c := env.Client(t)
	r := c.Post("/login", url.Values{"login": {"xia"}, "password": {"a long secret phrase"}})
	sc := sessionSetCookie(r)
	if !strings.Contains(strings.ToLower(sc), "domain=example.com") {
		t.Fatalf("session cookie without the domain: %q", sc)
	}
	// The jar keeps no cookie for example.com on 127.0.0.1: set it by hand.
	id := strings.TrimPrefix(strings.SplitN(sc, ";", 2)[0], "gatehouse_session=")
	c.SetCookie("gatehouse_session", id)
	if r := c.Get("/account"); r.StatusCode != 200 {
		t.Fatalf("signed in: %d", r.StatusCode)
	}
	r = c.Post("/logout", nil)
	sc = strings.ToLower(sessionSetCookie(r))
	if !strings.Contains(sc, "domain=example.com") || !(strings.Contains(sc, "max-age=0") || strings.Contains(sc, "expires=thu, 01 jan 1970")) {
		t.Fatalf("sign-out does not clear the cookie on its domain: %q", sc)
	}
}

// A pending email change is cached with the principal; a password change
// cancels it, and the account page stops showing it at once, whether the
// user changed their own password or an admin set it (their own, keeping
// their session).
func TestCachedPendingEmailChangeEndsWithThePassword(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	const newPW = "Copper meadow whistle 7"
	for _, who := range []string{"self", "admin"} {
		name := "kim" + who
		mods := []func(*models.User){}
		if who == "admin" {
			mods = append(mods, testenv.Superuser)
		}
		u := env.CreateUser(t, name, name+"@example.com", adminPW, mods...)
		c := env.Client(t)
		c.Login(name, adminPW)
		c.Get("/account/email")
		wantRedirect(t, c.Post("/account/email", url.Values{"email": {name + "-new@example.com"}}), "/account", "request")
		for range 2 { // filled, then from the cache
			if r := c.Get("/account"); !strings.Contains(r.Body, name+"-new@example.com") {
				t.Fatalf("%s: pending change not shown", who)
			}
		}
		if who == "self" {
			c.Get("/account/password")
			mustStatus(t, c.Post("/account/password", url.Values{"current_password": {adminPW}, "password": {newPW}, "password_confirm": {newPW}}),
				http.StatusSeeOther, "password change")
		} else {
			c.Get("/admin/users")
			mustStatus(t, c.Post("/admin/users/"+itoa(u.ID)+"/password", url.Values{"password": {newPW}, "password_confirm": {newPW}}),
				http.StatusSeeOther, "admin sets their own password")
		}
		if r := c.Get("/account"); r.StatusCode != 200 || strings.Contains(r.Body, name+"-new@example.com") {
			t.Fatalf("%s: cancelled change still shown (%d)", who, r.StatusCode)
		}
	}
}

// A proxy's forward-auth question counts as use of the session ("last
// seen" and the idle timeout move on) but sets no cookie, not even the
// renewal of a remembered one.
func TestForwardQuestionKeepsSessionAliveWithoutCookie(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	u := env.CreateUser(t, "yuki", "yuki@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Post("/login", url.Values{"login": {"yuki"}, "password": {"a long secret phrase"}, "remember": {"on"}})
	env.Clock.Advance(2 * time.Minute)
	r := ask(c, "/auth/request", "GET", "app.example.com", "/notes")
	if r.StatusCode != 200 {
		t.Fatalf("question: %d", r.StatusCode)
	}
	if sc := r.Header.Values("Set-Cookie"); len(sc) > 0 {
		t.Errorf("question set cookies %v", sc)
	}
	ss, err := env.Server.Sessions.List(context.Background(), u.ID)
	testenv.Must(t, err)
	if len(ss) != 1 || ss[0].SeenAt.Before(env.Clock.Now().Add(-5*time.Second)) {
		t.Fatalf("the question did not count as use: %+v (now %v)", ss, env.Clock.Now())
	}
}
