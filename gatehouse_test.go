package gatehouse_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

var moderate = gatehouse.Perm{Code: "notes.moderate", Name: "Can moderate notes"}

// open builds a Gatehouse with New, as a Go program does, and closes it
// when t ends.
func open(t *testing.T, opts ...gatehouse.Option) *gatehouse.Gatehouse {
	t.Helper()
	cfg, prefix := testenv.AppConfig(t, nil)
	opts = append([]gatehouse.Option{gatehouse.WithLogger(testenv.Logger(t)), gatehouse.WithKeyPrefix(prefix)}, opts...)
	g, err := gatehouse.New(context.Background(), cfg, opts...)
	if err != nil {
		t.Fatalf("gatehouse.New: %v", err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// start mounts g on an app with routes of its own, serves it, and returns
// a testenv.Env over it (for clients, users and grants).
func start(t *testing.T, g *gatehouse.Gatehouse) *testenv.Env {
	t.Helper()
	app := fiber.New()
	g.Mount(app)
	describe := func(c fiber.Ctx) error {
		u := gatehouse.UserFrom(c)
		if u == nil {
			return c.SendString("anonymous")
		}
		return c.SendString(testenv.Fmt("user=%s staff=%t groups=%s perms=%s moderate=%t",
			u.Username, u.IsStaff, strings.Join(u.Groups, ","), strings.Join(u.Perms, ","), u.HasPerm(moderate.Code)))
	}
	app.Get("/whoami", describe)
	app.Get("/private", g.RequireLogin(), describe)
	app.Get("/staff", g.RequireStaff(), describe)
	app.Get("/moderate", g.RequirePerm(moderate.Code), describe)
	app.Get("/both", g.RequirePerm(moderate.Code, "users.view"), describe)
	app.Post("/echo", g.RequireLogin(), func(c fiber.Ctx) error { return c.SendString("posted " + c.FormValue("x")) })
	app.Get("/refuse", func(fiber.Ctx) error { return fiber.ErrForbidden })
	app.Get("/boom", func(fiber.Ctx) error { return errors.New("boom") })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err)
	go func() { _ = app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return &testenv.Env{URL: "http://" + ln.Addr().String(), DB: g.DB(), Store: gatehouse.StoreOf(g),
		Hasher: auth.NewHasher(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)}
}

func TestRequireLoginSendsAnonymousToSignIn(t *testing.T) {
	t.Parallel()
	env := start(t, open(t))
	c := env.Client(t)
	for _, path := range []string{"/private?a=1&b=x%20y", "/staff", "/moderate"} {
		r := c.Get(path)
		want := "/login?next=" + url.QueryEscape(path)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != want {
			t.Errorf("GET %s: %d %q, want 303 %q", path, r.StatusCode, r.Header.Get("Location"), want)
		}
		h := c.Get(path, "HX-Request", "true")
		if h.StatusCode != http.StatusOK || h.Header.Get("HX-Redirect") != want || h.Header.Get("Location") != "" {
			t.Errorf("htmx GET %s: %d HX-Redirect %q, want 200 %q", path, h.StatusCode, h.Header.Get("HX-Redirect"), want)
		}
	}
	if r := c.Get("/whoami"); r.Body != "anonymous" {
		t.Fatalf("UserFrom of an anonymous request: %q", r.Body)
	}
	// Signing in from the redirect comes back to the app's page.
	env.CreateUser(t, "alice", "alice@example.com", "a long secret phrase")
	r := c.Post("/login", url.Values{"login": {"alice"}, "password": {"a long secret phrase"}, "next": {"/private?a=1"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/private?a=1" {
		t.Fatalf("sign in: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := c.Get("/private?a=1"); r.StatusCode != 200 || !strings.HasPrefix(r.Body, "user=alice ") {
		t.Fatalf("after sign-in: %d %q", r.StatusCode, r.Body)
	}
}

func TestRequireStaffAndPermForbidWithGatehousePage(t *testing.T) {
	t.Parallel()
	g := open(t, gatehouse.WithPerms(moderate))
	env := start(t, g)
	bob := env.CreateUser(t, "bob", "bob@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Login("bob", "a long secret phrase")
	for _, path := range []string{"/staff", "/moderate", "/refuse"} {
		r := c.Get(path)
		if r.StatusCode != http.StatusForbidden || !testenv.Contains(r.Body, "Permission denied", `<nav id="nav"`, "bob") {
			t.Fatalf("GET %s: %d, want the 403 page\n%s", path, r.StatusCode, r.Body)
		}
		h := c.Get(path, "HX-Request", "true")
		if h.StatusCode != http.StatusForbidden || strings.Contains(h.Body, "<!DOCTYPE") || !strings.Contains(h.Body, "Permission denied") {
			t.Fatalf("htmx GET %s: %d, want the 403 fragment\n%s", path, h.StatusCode, h.Body)
		}
	}
	// A grant counts from the next request; staff status is not needed.
	env.Grant(t, bob, moderate.Code)
	if r := c.Get("/moderate"); r.StatusCode != 200 || !strings.Contains(r.Body, "perms=notes.moderate moderate=true") {
		t.Fatalf("after grant: %d %q", r.StatusCode, r.Body)
	}
	// Every code is needed.
	if r := c.Get("/both"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("one of two codes: %d", r.StatusCode)
	}
	env.Grant(t, bob, "users.view")
	if r := c.Get("/both"); r.StatusCode != 200 {
		t.Fatalf("both codes: %d", r.StatusCode)
	}
	// Staff passes RequireStaff; a superuser holds every permission.
	env.CreateUser(t, "root", "root@example.com", "a long secret phrase", testenv.Superuser)
	s := env.Client(t)
	s.Login("root", "a long secret phrase")
	for _, path := range []string{"/staff", "/moderate", "/both"} {
		if r := s.Get(path); r.StatusCode != 200 || !strings.Contains(r.Body, "moderate=true") {
			t.Fatalf("superuser GET %s: %d %q", path, r.StatusCode, r.Body)
		}
	}
}

func TestUserFromHasGroupsAndPerms(t *testing.T) {
	t.Parallel()
	g := open(t, gatehouse.WithPerms(moderate))
	env := start(t, g)
	ctx := context.Background()
	carol := env.CreateUser(t, "carol", "carol@example.com", "a long secret phrase", testenv.Staff)
	grp, err := models.Groups{DB: g.DB()}.Create(ctx, "Moderators")
	testenv.Must(t, err)
	_, err = models.Groups{DB: g.DB()}.Update(ctx, grp.ID, "Moderators", []string{moderate.Code})
	testenv.Must(t, err)
	_, err = g.DB().ExecContext(ctx, "INSERT INTO user_groups (user_id, group_id) VALUES (?, ?)", carol.ID, grp.ID)
	testenv.Must(t, err)
	env.Grant(t, carol, "audit.view")

	c := env.Client(t)
	c.Login("carol", "a long secret phrase")
	want := "user=carol staff=true groups=Moderators perms=audit.view,notes.moderate moderate=true"
	if r := c.Get("/whoami"); r.Body != want {
		t.Fatalf("UserFrom: %q, want %q", r.Body, want)
	}
	var nobody *gatehouse.User
	if nobody.HasPerm(moderate.Code) {
		t.Fatal("a nil user holds a permission")
	}
}

// The app's own forms need the CSRF token like Gatehouse's.
func TestAppRoutesAreBehindCSRF(t *testing.T) {
	t.Parallel()
	env := start(t, open(t))
	env.CreateUser(t, "dave", "dave@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Login("dave", "a long secret phrase")
	if r := c.Post("/echo", url.Values{"x": {"1"}, "csrf_token": {"forged"}}); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Form expired") {
		t.Fatalf("forged token: %d\n%s", r.StatusCode, r.Body)
	}
	if r := c.Post("/echo", url.Values{"x": {"1"}}); r.StatusCode != 200 || r.Body != "posted 1" {
		t.Fatalf("with token: %d %q", r.StatusCode, r.Body)
	}
	if r := c.Get("/no-such-page"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "Page not found") {
		t.Fatalf("unknown path: %d\n%s", r.StatusCode, r.Body)
	}
}

func TestRegisteredPermsAppearInAdmin(t *testing.T) {
	t.Parallel()
	g := open(t, gatehouse.WithPerms(moderate))
	testenv.Must(t, g.RegisterPerms(context.Background(), gatehouse.Perm{Code: "notes.export", Name: "Can export notes"}))
	env := start(t, g)
	env.CreateUser(t, "root", "root@example.com", "a long secret phrase", testenv.Superuser)
	erin := env.CreateUser(t, "erin", "erin@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Login("root", "a long secret phrase")
	r := c.Get(testenv.Fmt("/admin/users/%d", erin.ID))
	if r.StatusCode != 200 || !testenv.Contains(r.Body, `value="notes.moderate"`, "Can moderate notes", `value="notes.export"`, "Can export notes") {
		t.Fatalf("admin user page: %d\n%s", r.StatusCode, r.Body)
	}
}

func TestRegisterPerms(t *testing.T) {
	t.Parallel()
	g := open(t, gatehouse.WithPerms(moderate))
	ctx := context.Background()
	for _, bad := range []gatehouse.Perm{
		{Code: "Notes.Moderate", Name: "x"}, {Code: "notes", Name: "x"}, {Code: "notes.moderate", Name: ""},
		{Code: "users.view", Name: "Mine now"},
	} {
		if err := g.RegisterPerms(ctx, bad); err == nil {
			t.Errorf("RegisterPerms(%+v) accepted", bad)
		}
	}
	// Registering again renames and keeps one row.
	testenv.Must(t, g.RegisterPerms(ctx, gatehouse.Perm{Code: "notes.moderate", Name: "Can moderate everyone's notes"}))
	all, err := models.Perms{DB: g.DB()}.All(ctx)
	testenv.Must(t, err)
	n := 0
	for _, p := range all {
		switch p.Code {
		case "notes.moderate":
			n++
			if p.Name != "Can moderate everyone's notes" {
				t.Fatalf("name not updated: %q", p.Name)
			}
		case "users.view":
			if p.Name != "Can view users" {
				t.Fatalf("built-in permission renamed: %q", p.Name)
			}
		}
	}
	if n != 1 {
		t.Fatalf("notes.moderate rows: %d", n)
	}
}

func TestHandlerServesGatehouseAlone(t *testing.T) {
	t.Parallel()
	g := open(t)
	srv := httptest.NewServer(g.Handler())
	defer srv.Close()
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/login": 200, "/account": 303, "/nope": 404} {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		r, err := c.Get(srv.URL + path)
		testenv.Must(t, err)
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, r.StatusCode, want)
		}
	}
}

func TestCloseStopsCleanly(t *testing.T) {
	t.Parallel()
	cfg, prefix := testenv.AppConfig(t, nil)
	g, err := gatehouse.New(context.Background(), cfg, gatehouse.WithLogger(testenv.Logger(t)), gatehouse.WithKeyPrefix(prefix))
	testenv.Must(t, err)
	done := make(chan error, 1)
	go func() { done <- g.Close() }()
	select {
	case err := <-done:
		testenv.Must(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return: a background loop is still running")
	}
	if err := g.DB().PingContext(context.Background()); err == nil {
		t.Fatal("database still open after Close")
	}
	testenv.Must(t, g.Close())

	// A failed start leaves nothing open and says why.
	bad, _ := testenv.AppConfig(t, nil)
	bad.SecretKey, bad.TrustedProxies = "", "not-a-cidr"
	if _, err := gatehouse.New(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "GATEHOUSE_TRUSTED_PROXIES") {
		t.Fatalf("bad config: %v", err)
	}
}

// In a foreign app, errors still become Gatehouse's pages: a failing route
// the 500 page, a dead database the 503 page (not the app's error handler).
func TestAppErrorsRenderGatehousePages(t *testing.T) {
	t.Parallel()
	g := open(t)
	env := start(t, g)
	env.CreateUser(t, "frank", "frank@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Login("frank", "a long secret phrase")
	if r := c.Get("/boom"); r.StatusCode != http.StatusInternalServerError || !testenv.Contains(r.Body, "Something went wrong", `<nav id="nav"`) {
		t.Fatalf("failing route: %d\n%s", r.StatusCode, r.Body)
	}
	testenv.Must(t, g.DB().Close())
	// /account/email reads the database (the pending address change) even
	// when the principal is cached with the session in Redis.
	r := c.Get("/account/email")
	if r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.Body, "Service unavailable") || r.Header.Get("Retry-After") == "" {
		t.Fatalf("dead database: %d\n%s", r.StatusCode, r.Body)
	}
}
