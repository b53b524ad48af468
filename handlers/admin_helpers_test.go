package handlers_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

const adminPW = "a long secret phrase"

// adminClient creates a user with mods and returns a client signed in as it.
func adminClient(t *testing.T, env *testenv.Env, name string, mods ...func(*models.User)) (*testenv.Client, *models.User) {
	t.Helper()
	u := env.CreateUser(t, name, name+"@example.com", adminPW, mods...)
	c := env.Client(t)
	c.Login(name, adminPW)
	return c, u
}

// member is a user for list tests, inserted directly with a fixed hash.
type member struct {
	name         string
	joined       time.Time
	lastLogin    *time.Time
	active       bool
	staff, super bool
}

func insertUsers(t *testing.T, env *testenv.Env, ms []member) map[string]*models.User {
	t.Helper()
	out := map[string]*models.User{}
	for _, m := range ms {
		u := &models.User{
			Username: m.name, UsernameKey: auth.UsernameKey(m.name), Email: m.name + "@Example.org",
			EmailKey: auth.EmailKey(m.name + "@example.org"), PasswordHash: "x", IsActive: m.active,
			IsStaff: m.staff || m.super, IsSuperuser: m.super, DateJoined: m.joined, PasswordChangedAt: m.joined,
			LastLogin: m.lastLogin,
		}
		if err := (models.Users{DB: env.DB}).Create(context.Background(), u); err != nil {
			t.Fatalf("insert %s: %v", m.name, err)
		}
		out[m.name] = u
	}
	return out
}

func addToGroup(t *testing.T, env *testenv.Env, group string, users ...*models.User) *models.Group {
	t.Helper()
	ctx := context.Background()
	g, err := models.Groups{DB: env.DB}.ByName(ctx, group)
	if models.IsNotFound(err) {
		g, err = models.Groups{DB: env.DB}.Create(ctx, group)
	}
	testenv.Must(t, err)
	for _, u := range users {
		_, err := env.DB.ExecContext(ctx, "INSERT INTO user_groups (user_id, group_id) VALUES (?, ?)", u.ID, g.ID)
		testenv.Must(t, err)
		env.UsersChanged(u.ID)
	}
	return g
}

var (
	rowName  = regexp.MustCompile(`data-user-link>([^<]+)<`)
	nextLink = regexp.MustCompile(`rel="next" href="([^"]+)"`)
	prevLink = regexp.MustCompile(`rel="prev" href="([^"]+)"`)
)

// listed returns the usernames in a user list page, in order.
func listed(body string) []string {
	var out []string
	for _, m := range rowName.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func link(re *regexp.Regexp, body string) string {
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func mustStatus(t *testing.T, r *testenv.Response, want int, what string) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.StatusCode, want, r.Body)
	}
}

func ptime(t time.Time) *time.Time { return &t }

func userFlags(t *testing.T, env *testenv.Env, id int64) *models.User {
	t.Helper()
	u, err := models.Users{DB: env.DB}.ByID(context.Background(), id)
	testenv.Must(t, err)
	return u
}

func lastEvent(t *testing.T, env *testenv.Env, event string) *models.AuditEvent {
	t.Helper()
	es, err := models.Audit{DB: env.DB}.Recent(context.Background(), event, 1)
	testenv.Must(t, err)
	if len(es) == 0 {
		return nil
	}
	return &es[0]
}

func signedOut(t *testing.T, c *testenv.Client) bool {
	t.Helper()
	r := c.Get("/account")
	return r.StatusCode == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login")
}
