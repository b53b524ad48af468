package handlers_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestUserListSearchAndFilters(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c, _ := adminClient(t, env, "root", testenv.Superuser)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	us := insertUsers(t, env, []member{
		{name: "Alice", joined: base, active: true},
		{name: "alfred", joined: base, active: false},
		{name: "bob_x", joined: base, active: true, staff: true},
		{name: "bobAx", joined: base, active: true},
		{name: "carol%", joined: base, active: true, super: true},
	})
	addToGroup(t, env, "Editors", us["Alice"], us["bob_x"])

	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"alfred", "Alice", "bob_x", "bobAx", "carol%", "root"}},
		{"?q=AL", []string{"alfred", "Alice"}},
		{"?q=example.ORG", []string{"alfred", "Alice", "bob_x", "bobAx", "carol%"}},
		{"?q=b_x", []string{"bob_x"}}, // _ is literal, not a wildcard
		{"?q=%25", []string{"carol%"}},
		{"?q=root%40example.com", []string{"root"}},
		{"?active=no", []string{"alfred"}},
		{"?active=yes&staff=yes", []string{"bob_x", "carol%", "root"}},
		{"?superuser=yes", []string{"carol%", "root"}},
		{"?superuser=no&q=bob", []string{"bob_x", "bobAx"}},
		{"?group=editors", []string{"Alice", "bob_x"}},
		{"?group=nosuchgroup", nil},
		{"?q=zzz", nil},
	}
	for _, tc := range cases {
		r := c.Get("/admin/users" + tc.query)
		mustStatus(t, r, http.StatusOK, tc.query)
		if got := listed(r.Body); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
		}
	}
	// Each row shows its groups, dates and flags, from one query for the page.
	r := c.Get("/admin/users?q=alice")
	if !testenv.Contains(r.Body, `<span class="badge">Editors</span>`, "<time datetime=", "✓ yes", "1 user matches") {
		t.Errorf("row details missing:\n%s", r.Body)
	}
	// The unfiltered list counts (a small table: exactly); a filtered one says "more".
	if r := c.Get("/admin/users"); !strings.Contains(r.Body, "6 users") {
		t.Errorf("count missing:\n%s", r.Body)
	}
	if r := c.Get("/admin/users?q=a&page_size=1"); !strings.Contains(r.Body, "Showing 1 matching user; more match") {
		t.Errorf("more text missing:\n%s", r.Body)
	}
	// The empty state names the search and offers to clear it, keeping filters.
	r = c.Get("/admin/users?q=zzz&staff=yes")
	if !testenv.Contains(r.Body, "No users match 'zzz'", `href="/admin/users?staff=yes">Clear search`) {
		t.Errorf("empty state:\n%s", r.Body)
	}
}

func TestUserListHTMXAnswersTheTableOnly(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c, _ := adminClient(t, env, "root", testenv.Superuser)
	insertUsers(t, env, []member{{name: "zed", joined: time.Now(), active: true}})
	r := c.Get("/admin/users?q=ze", "HX-Request", "true", "HX-Target", "user-table")
	mustStatus(t, r, http.StatusOK, "htmx search")
	if strings.Contains(r.Body, "<html") || strings.Contains(r.Body, `id="nav"`) || strings.Contains(r.Body, `id="user-search"`) {
		t.Fatalf("htmx answer is more than the table:\n%s", r.Body)
	}
	if !strings.HasPrefix(strings.TrimSpace(r.Body), `<div id="user-table">`) || !slices.Equal(listed(r.Body), []string{"zed"}) {
		t.Fatalf("htmx answer is not the table:\n%s", r.Body)
	}
	// Without HX-Target too (CONTRACT §6: HX-Request alone).
	if r := c.Get("/admin/users", "HX-Request", "true"); !strings.HasPrefix(strings.TrimSpace(r.Body), `<div id="user-table">`) {
		t.Fatalf("HX-Request alone:\n%s", r.Body)
	}
	// The whole page has the live search box pushing its query into the URL.
	r = c.Get("/admin/users?q=ze&sort=-joined")
	if !testenv.Contains(r.Body, `<html`, `id="user-search"`, `hx-get="/admin/users"`, `hx-push-url="true"`,
		`hx-target="#user-table"`, `hx-include="closest form"`, `name="sort" value="-joined"`, `value="ze"`) {
		t.Fatalf("page lacks the live search:\n%s", r.Body)
	}
}

func TestUserListBadParametersAre400(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c, _ := adminClient(t, env, "root", testenv.Superuser)
	insertUsers(t, env, []member{{name: "a1", joined: time.Now(), active: true}, {name: "a2", joined: time.Now(), active: true}})
	first := c.Get("/admin/users?page_size=1")
	next := link(nextLink, first.Body)
	if next == "" {
		t.Fatalf("no next link:\n%s", first.Body)
	}
	cursor := strings.TrimPrefix(next[strings.Index(next, "after=")+len("after="):], "")
	for _, q := range []string{
		"page_size=0", "page_size=201", "page_size=-1", "page_size=ten", "page_size=1000",
		"sort=password", "sort=--username", "active=maybe", "staff=1", "superuser=true",
		"after=notbase64!", "after=" + "dXNlcm5hbWV8YQ", "before=x&after=y",
		"sort=email&after=" + cursor, // a cursor of another sort
		"q=" + strings.Repeat("a", 255), "q=%00", "q=%ff",
	} {
		r := c.Get("/admin/users?" + q)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "Bad request") {
			t.Errorf("%s: status %d\n%s", q, r.StatusCode, r.Body)
		}
	}
	for _, q := range []string{"page_size=1", "page_size=200", "sort=-last_login", "active=", "q=" + strings.Repeat("a", 254)} {
		if r := c.Get("/admin/users?" + q); r.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", q, r.StatusCode)
		}
	}
}

// Every sort pages forward and back through ties (equal join and sign-in
// times, never-signed-in users) and meets each user exactly once.
func TestUserListSortsWithTiesAndCursors(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c, root := adminClient(t, env, "root", testenv.Superuser)
	rootUser := userFlags(t, env, root.ID)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var ms []member
	for i := range 23 {
		m := member{name: fmt.Sprintf("u%02d", (i*7)%23), joined: t0.Add(time.Duration(i%3) * time.Hour), active: true}
		if i%4 != 0 {
			m.lastLogin = ptime(t0.Add(time.Duration(i%2) * time.Minute))
		}
		ms = append(ms, m)
	}
	us := insertUsers(t, env, ms)
	us["root"] = rootUser

	type row struct {
		name   string
		id     int64
		joined time.Time
		last   time.Time
	}
	var rows []row
	for name, u := range us {
		last := time.Unix(0, 0)
		if u.LastLogin != nil {
			last = *u.LastLogin
		}
		rows = append(rows, row{name, u.ID, u.DateJoined, last})
	}
	for _, sortKey := range []string{"username", "email", "joined", "last_login", "-username", "-email", "-joined", "-last_login"} {
		key := strings.TrimPrefix(sortKey, "-")
		desc := key != sortKey
		want := slices.Clone(rows)
		sort.Slice(want, func(i, j int) bool {
			a, b := want[i], want[j]
			var c int
			switch key {
			case "username", "email":
				c = strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
			case "joined":
				c = a.joined.Compare(b.joined)
			case "last_login":
				c = a.last.Compare(b.last)
			}
			if c == 0 {
				c = int(a.id - b.id)
			}
			if desc {
				return c > 0
			}
			return c < 0
		})
		var wantNames []string
		for _, r := range want {
			wantNames = append(wantNames, r.name)
		}

		// Forward with page_size=5: 24 users → 5 pages, the last of 4.
		var got []string
		var pages []string
		url := "/admin/users?sort=" + sortKey + "&page_size=5"
		for range 10 {
			r := c.Get(url)
			mustStatus(t, r, http.StatusOK, url)
			pages = append(pages, r.Body)
			got = append(got, listed(r.Body)...)
			url = link(nextLink, r.Body)
			if url == "" {
				break
			}
		}
		if !slices.Equal(got, wantNames) {
			t.Errorf("%s forward:\n got %v\nwant %v", sortKey, got, wantNames)
			continue
		}
		if len(pages) != 5 || len(listed(pages[4])) != 4 {
			t.Errorf("%s: %d pages", sortKey, len(pages))
		}
		// The first page has no previous page, the last no next one.
		if link(prevLink, pages[0]) != "" || link(nextLink, pages[4]) != "" {
			t.Errorf("%s: first page has a previous link or last page a next link", sortKey)
		}
		if !strings.Contains(pages[0], `aria-sort=`) {
			t.Errorf("%s: no aria-sort", sortKey)
		}
		// Back from the last page, each page is what it was going forward.
		body := pages[4]
		for i := 3; i >= 0; i-- {
			prev := link(prevLink, body)
			if prev == "" {
				t.Fatalf("%s: no previous link on page %d", sortKey, i+2)
			}
			r := c.Get(prev)
			mustStatus(t, r, http.StatusOK, prev)
			if g, w := listed(r.Body), listed(pages[i]); !slices.Equal(g, w) {
				t.Errorf("%s back to page %d: got %v want %v", sortKey, i+1, g, w)
			}
			body = r.Body
		}
		if link(prevLink, body) != "" {
			t.Errorf("%s: back on the first page it still has a previous link", sortKey)
		}
	}
}
