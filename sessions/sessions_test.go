package sessions_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
	"github.com/gatehouse/gatehouse/sessions"
)

// A small app over the manager: /start signs user 7 in, /who says who is
// signed in, /rotate gives the session a new id.
func newApp(t *testing.T) (*sessions.Manager, string) {
	t.Helper()
	db := testenv.OpenDB(t)
	if _, err := models.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	m := sessions.New(sessions.Config{Store: testenv.OpenStore(t, db).(sessions.Store), Now: time.Now,
		Starts: func(c fiber.Ctx) bool { return c.Path() == "/start" }})
	app := fiber.New()
	app.Use(m.Middleware())
	app.Get("/start", func(c fiber.Ctx) error { return m.Start(c, 7, false, "192.0.2.1", "test-agent") })
	app.Get("/who", func(c fiber.Ctx) error {
		cur, ok := m.Load(c)
		if !ok {
			return c.SendString("nobody")
		}
		return c.SendString(strconv.FormatInt(cur.UserID, 10))
	})
	app.Get("/rotate", func(c fiber.Ctx) error { return m.Rotate(c, 7) })
	srv := httptest.NewServer(adaptor(app))
	t.Cleanup(srv.Close)
	return m, srv.URL
}

func adaptor(app *fiber.App) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := app.Test(r)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
}

func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	r, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

func client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func TestStartListRotateEndAll(t *testing.T) {
	t.Parallel()
	m, url := newApp(t)
	a, b := client(t), client(t)
	if got := get(t, a, url+"/who"); got != "nobody" {
		t.Fatalf("before sign-in: %q", got)
	}
	get(t, a, url+"/start")
	get(t, b, url+"/start")
	if got := get(t, a, url+"/who"); got != "7" {
		t.Fatalf("after sign-in: %q", got)
	}
	list, err := m.List(context.Background(), 7)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
	if list[0].IP != "192.0.2.1" || list[0].UserAgent != "test-agent" || list[0].Started.IsZero() {
		t.Fatalf("session facts: %+v", list[0])
	}
	get(t, a, url+"/rotate")
	if got := get(t, a, url+"/who"); got != "7" {
		t.Fatalf("after rotate: %q", got)
	}
	after, err := m.List(context.Background(), 7)
	if err != nil || len(after) != 2 {
		t.Fatalf("list after rotate: %v %v", after, err)
	}
	n, err := m.EndAll(context.Background(), 7, "")
	if err != nil || n != 2 {
		t.Fatalf("end all: %d %v", n, err)
	}
	for _, c := range []*http.Client{a, b} {
		if got := get(t, c, url+"/who"); got != "nobody" {
			t.Fatalf("after end all: %q", got)
		}
	}
}
