package notes_test

import (
	"context"
	"html"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/examples/notes"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const pw = "a long secret phrase"

// start serves the notes app over real HTTP, on SQLite or, when the test
// variables are set, a PostgreSQL schema and a Redis prefix of its own.
func start(t *testing.T) *testenv.Env {
	t.Helper()
	cfg, prefix := testenv.AppConfig(t, nil)
	g, err := gatehouse.New(context.Background(), cfg, gatehouse.WithPerms(notes.Moderate),
		gatehouse.WithLogger(testenv.Logger(t)), gatehouse.WithKeyPrefix(prefix))
	if err != nil {
		t.Fatalf("gatehouse.New: %v", err)
	}
	t.Cleanup(func() { testenv.Must(t, g.Close()) })
	app := notes.New(g)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err)
	go func() { _ = app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return &testenv.Env{URL: "http://" + ln.Addr().String(), DB: g.DB(),
		Hasher: auth.NewHasher(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)}
}

func write(t *testing.T, c *testenv.Client, text string) int64 {
	t.Helper()
	r := c.Post("/notes", url.Values{"text": {text}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/notes" {
		t.Fatalf("write note: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	page := c.Get("/notes").Body
	m := regexp.MustCompile(`id="note-(\d+)">\s*<p>` + regexp.QuoteMeta(html.EscapeString(text)) + `</p>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("note %q not on the page:\n%s", text, page)
	}
	var id int64
	for _, d := range m[1] {
		id = id*10 + int64(d-'0')
	}
	return id
}

func TestAnonymousSignsInAndComesBack(t *testing.T) {
	t.Parallel()
	env := start(t)
	env.CreateUser(t, "alice", "alice@example.com", pw)
	c := env.Client(t)
	for path, next := range map[string]string{"/notes": "%2Fnotes", "/notes/all?page=2": "%2Fnotes%2Fall%3Fpage%3D2"} {
		r := c.Get(path)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next="+next {
			t.Fatalf("anonymous GET %s: %d %q", path, r.StatusCode, r.Header.Get("Location"))
		}
		h := c.Get(path, "HX-Request", "true")
		if h.StatusCode != http.StatusOK || h.Header.Get("HX-Redirect") != "/login?next="+next {
			t.Fatalf("anonymous htmx GET %s: %d HX-Redirect %q", path, h.StatusCode, h.Header.Get("HX-Redirect"))
		}
	}
	// An anonymous POST is refused before it does anything.
	if r := c.Post("/notes", url.Values{"text": {"sneaky"}}); r.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous POST: %d %q", r.StatusCode, r.Header.Get("Location"))
	}

	login := c.Get("/login?next=%2Fnotes")
	if login.StatusCode != 200 || !strings.Contains(login.Body, `name="next" value="/notes"`) {
		t.Fatalf("sign-in page does not keep next: %d\n%s", login.StatusCode, login.Body)
	}
	r := c.Post("/login", url.Values{"login": {"alice"}, "password": {pw}, "next": {"/notes"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/notes" {
		t.Fatalf("sign in: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	page := c.Get("/notes")
	if page.StatusCode != 200 || !testenv.Contains(page.Body, "<title>My notes · Notes</title>",
		`<span data-username>alice</span>`, `<form method="post" action="/logout">`,
		`<input type="hidden" name="csrf_token" value="`+c.CSRF+`">`) || c.CSRF == "" {
		t.Fatalf("notes page: %d\n%s", page.StatusCode, page.Body)
	}
	if strings.Contains(page.Body, `href="/notes/all"`) || strings.Contains(page.Body, `href="/admin"`) {
		t.Fatal("links for moderators and staff shown to a plain user")
	}

	// Signing out from the app's menu ends the session.
	if r := c.Post("/logout", nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("sign out: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := c.Get("/notes"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", r.StatusCode)
	}
}

func TestWriteAndDeleteOwnNotes(t *testing.T) {
	t.Parallel()
	env := start(t)
	env.CreateUser(t, "alice", "alice@example.com", pw)
	c := env.Client(t)
	c.Login("alice", pw)
	id := write(t, c, "Buy <milk> & eggs")
	if !strings.Contains(c.Get("/notes").Body, "Buy &lt;milk&gt; &amp; eggs") {
		t.Fatal("note not escaped")
	}
	for text, msg := range map[string]string{"   ": "Write something first.", strings.Repeat("é", 501): "at most 500 characters"} {
		r := c.Post("/notes", url.Values{"text": {text}})
		if r.StatusCode != http.StatusUnprocessableEntity || !testenv.Contains(r.Body, msg, `aria-invalid="true"`) {
			t.Fatalf("note %q: %d\n%s", text[:3], r.StatusCode, r.Body)
		}
	}
	// A form without the CSRF token is refused with Gatehouse's page.
	if r := c.PostRaw("/notes", "text=forged"); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Form expired") {
		t.Fatalf("no CSRF token: %d\n%s", r.StatusCode, r.Body)
	}
	r := c.Post(testenv.Fmt("/notes/%d/delete", id), nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/notes" {
		t.Fatalf("delete own note: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if strings.Contains(c.Get("/notes").Body, "milk") {
		t.Fatal("deleted note still shown")
	}
	for _, path := range []string{testenv.Fmt("/notes/%d/delete", id), "/notes/x/delete"} {
		if r := c.Post(path, nil); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "Page not found") {
			t.Fatalf("POST %s: %d\n%s", path, r.StatusCode, r.Body)
		}
	}
}

// Deleting someone else's note needs notes.moderate; a superuser grants it
// in Gatehouse's admin and it counts from the next request.
func TestModeratePermissionGrantedInAdmin(t *testing.T) {
	t.Parallel()
	env := start(t)
	env.CreateUser(t, "alice", "alice@example.com", pw)
	bob := env.CreateUser(t, "bob", "bob@example.com", pw)
	env.CreateUser(t, "root", "root@example.com", pw, testenv.Superuser)
	alice, mod, root := env.Client(t), env.Client(t), env.Client(t)
	alice.Login("alice", pw)
	mod.Login("bob", pw)
	root.Login("root", pw)
	id := write(t, alice, "Alice's secret plan")
	if strings.Contains(mod.Get("/notes").Body, "secret plan") {
		t.Fatal("bob sees alice's notes")
	}

	del := testenv.Fmt("/notes/%d/delete", id)
	for _, path := range []string{del, "/notes/all"} {
		var r *testenv.Response
		if path == del {
			r = mod.Post(path, nil)
		} else {
			r = mod.Get(path)
		}
		if r.StatusCode != http.StatusForbidden || !testenv.Contains(r.Body, "Permission denied", `<nav id="nav"`) {
			t.Fatalf("bob %s: %d, want Gatehouse's 403 page\n%s", path, r.StatusCode, r.Body)
		}
	}

	// The app's permission is on the admin's user page, and saving the
	// form there grants it.
	userPage := testenv.Fmt("/admin/users/%d", bob.ID)
	p := root.Get(userPage)
	if p.StatusCode != 200 || !testenv.Contains(p.Body, `value="notes.moderate"`, "Can moderate notes") {
		t.Fatalf("admin user page: %d\n%s", p.StatusCode, p.Body)
	}
	r := root.Post(userPage, url.Values{"is_active": {"on"}, "perms": {"notes.moderate"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("grant in the admin: %d\n%s", r.StatusCode, r.Body)
	}

	all := mod.Get("/notes/all")
	if all.StatusCode != 200 || !testenv.Contains(all.Body, "Alice&#39;s secret plan", "alice ·", `href="/notes/all"`) {
		t.Fatalf("moderator's all notes: %d\n%s", all.StatusCode, all.Body)
	}
	r = mod.Post(del, url.Values{"back": {"/notes/all"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/notes/all" {
		t.Fatalf("moderator deletes: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if strings.Contains(alice.Get("/notes").Body, "secret plan") {
		t.Fatal("note not deleted")
	}
}

// The README's "Use it in your Go app" code is the example's code.
func TestReadmeShowsTheExample(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	testenv.Must(t, err)
	_, section, ok := strings.Cut(string(readme), "## Use it in your Go app")
	if !ok {
		t.Fatal("README has no section \"Use it in your Go app\"")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var source string
	for _, f := range []string{"notes.go", "cmd/notes/main.go"} {
		b, err := os.ReadFile(f)
		testenv.Must(t, err)
		source += string(b)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) < 2 {
		t.Fatalf("want the command and the app's code in the section, found %d go blocks", len(blocks))
	}
	for _, b := range blocks {
		for _, part := range strings.Split(b[1], "\n// …\n") {
			if !strings.Contains(source, part) {
				t.Errorf("README block not in examples/notes:\n%s", part)
			}
		}
	}
}
