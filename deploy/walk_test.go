package deploy_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// The walks run Gatehouse behind the real proxies with the deploy/ files
// and deploy/rules.yml: /public/* is public, /reports/* needs the
// permission reports.view, everything else on the app a sign-in.

func TestNginx(t *testing.T) {
	t.Parallel()
	walk(t, nginx)
}

func TestCaddy(t *testing.T) {
	t.Parallel()
	walk(t, caddy)
}

const password = "correct horse battery staple"

func walk(t *testing.T, p proxy) {
	s := newStack(t, p)

	t.Run("sign-in comes back to the original URL", func(t *testing.T) {
		t.Parallel()
		s.env.CreateUser(t, "ada", "ada@"+testDomain, password)
		c := s.client().on(t)
		const path = "/docs/guide?x=1&y=two%20words"
		orig := s.appURL + path

		r, _ := c.app(path)
		rd := signInRedirect(t, s, r)
		if rd != orig {
			t.Fatalf("rd = %q, want the original URL %q", rd, orig)
		}
		page := c.get(r.Header.Get("Location"))
		if page.StatusCode != http.StatusOK {
			t.Fatalf("sign-in page: status %d\n%s", page.StatusCode, page.Body)
		}
		f := formValues(t, page.Body, `action="/login"`)
		if f.Get("rd") != orig {
			t.Fatalf("the sign-in form carries rd %q, want %q", f.Get("rd"), orig)
		}
		f.Set("login", "ada")
		f.Set("password", password)
		r = c.post("/login", f)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != orig {
			t.Fatalf("sign-in: status %d to %q, want 303 to %q\n%s", r.StatusCode, r.Header.Get("Location"), orig, r.Body)
		}

		// The session cookie reaches the app's host (GATEHOUSE_COOKIE_DOMAIN),
		// so the proxy has something to strip; the app's own cookie stays.
		appURL, _ := url.Parse(s.appURL)
		if !hasCookie(c.http.Jar.Cookies(appURL), "gatehouse_session") {
			t.Fatalf("the session cookie is not sent to %s: %v", s.appURL, c.http.Jar.Cookies(appURL))
		}
		c.http.Jar.SetCookies(appURL, []*http.Cookie{{Name: "app_theme", Value: "dark", Path: "/"}})
		r, e := c.app(path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("back at %s: status %d\n%s", path, r.StatusCode, r.Body)
		}
		if e.URI != path || e.User != "ada" || e.Email != "ada@"+testDomain {
			t.Fatalf("the app saw %+v, want %s as ada", e, path)
		}
		if e.Cookie != "app_theme=dark" {
			t.Fatalf("the app got Cookie %q, want only its own app_theme=dark", e.Cookie)
		}
	})

	t.Run("a permission rule refuses until the admin grants it", func(t *testing.T) {
		t.Parallel()
		c, id := s.signedIn(t, "bob")
		if r, _ := c.app("/reports/q3"); r.StatusCode != http.StatusForbidden {
			t.Fatalf("/reports without reports.view: status %d, want 403", r.StatusCode)
		}
		if r, e := c.app("/docs"); r.StatusCode != http.StatusOK || e.User != "bob" {
			t.Fatalf("/docs: status %d as %q, want 200 as bob", r.StatusCode, e.User)
		}
		admin := s.admin(t, "root-grant")
		admin.editUser(id, func(page string, v url.Values) {
			// Codes named in the rules exist in the admin like any other.
			if !strings.Contains(page, `value="reports.view"`) {
				t.Fatalf("the admin's user page offers no reports.view")
			}
			v.Add("perms", "reports.view")
		})
		r, e := c.app("/reports/q3")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("/reports after the grant: status %d, want 200", r.StatusCode)
		}
		if e.User != "bob" || !strings.Contains(","+e.Permissions+",", ",reports.view,") {
			t.Fatalf("the app saw %+v, want bob holding reports.view", e)
		}
	})

	t.Run("a group and its permissions, changed in the admin, count on the next request", func(t *testing.T) {
		t.Parallel()
		c, id := s.signedIn(t, "hal")
		admin := s.admin(t, "root-group")
		page := admin.get(s.authURL + "/admin/groups")
		f := formValues(t, page.Body, `id="group-create"`)
		f.Set("name", "Auditors")
		r := admin.post("/admin/groups", f)
		gpath := r.Header.Get("Location")
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(gpath, "/admin/groups/") {
			t.Fatalf("create a group: status %d to %q\n%s", r.StatusCode, gpath, r.Body)
		}
		admin.editUser(id, func(_ string, v url.Values) { v.Add("groups", strings.TrimPrefix(gpath, "/admin/groups/")) })
		if r, e := c.app("/docs"); r.StatusCode != http.StatusOK || e.Groups != "Auditors" {
			t.Fatalf("/docs after joining Auditors: status %d, groups %q", r.StatusCode, e.Groups)
		}
		if r, _ := c.app("/reports/q3"); r.StatusCode != http.StatusForbidden {
			t.Fatalf("/reports before the group holds reports.view: status %d, want 403", r.StatusCode)
		}
		page = admin.get(s.authURL + gpath)
		f = formValues(t, page.Body, `id="group-form"`)
		f.Add("perms", "reports.view")
		if r := admin.post(gpath, f); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save the group: status %d\n%s", r.StatusCode, r.Body)
		}
		r, e := c.app("/reports/q3")
		if r.StatusCode != http.StatusOK || !strings.Contains(","+e.Permissions+",", ",reports.view,") {
			t.Fatalf("/reports after the group's grant: status %d, permissions %q", r.StatusCode, e.Permissions)
		}
	})

	t.Run("sign-out is refused on the next request", func(t *testing.T) {
		t.Parallel()
		c, _ := s.signedIn(t, "cy")
		if r, _ := c.app("/docs"); r.StatusCode != http.StatusOK {
			t.Fatalf("signed in: status %d", r.StatusCode)
		}
		c.get(s.authURL + "/account")
		if r := c.post("/logout", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-out: status %d\n%s", r.StatusCode, r.Body)
		}
		r, _ := c.app("/docs")
		signInRedirect(t, s, r)
	})

	t.Run("deactivation in the admin is refused on the next request", func(t *testing.T) {
		t.Parallel()
		c, id := s.signedIn(t, "dee")
		if r, _ := c.app("/docs"); r.StatusCode != http.StatusOK {
			t.Fatalf("signed in: status %d", r.StatusCode)
		}
		s.admin(t, "root-deactivate").editUser(id, func(_ string, v url.Values) { v.Del("is_active") })
		refused(t, s, c, "/docs")
	})

	t.Run("sessions revoked in the admin are refused on the next request", func(t *testing.T) {
		t.Parallel()
		c, id := s.signedIn(t, "eve")
		if r, _ := c.app("/docs"); r.StatusCode != http.StatusOK {
			t.Fatalf("signed in: status %d", r.StatusCode)
		}
		admin := s.admin(t, "root-revoke")
		path := "/admin/users/" + strconv.FormatInt(id, 10)
		page := admin.get(s.authURL + path)
		f := formValues(t, page.Body, `action="`+path+`/sessions/revoke"`)
		if r := admin.post(path+"/sessions/revoke", f); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: status %d\n%s", r.StatusCode, r.Body)
		}
		refused(t, s, c, "/docs")
	})

	t.Run("a public rule passes anonymous requests with no identity", func(t *testing.T) {
		t.Parallel()
		c := s.client().on(t)
		r, e := c.app("/public/readme", forgedIdentity()...)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("/public anonymous: status %d, want 200\n%s", r.StatusCode, r.Body)
		}
		if e.User != "" || e.Email != "" || e.Groups != "" || e.Permissions != "" {
			t.Fatalf("the app saw an identity on an anonymous request: %+v", e)
		}
	})

	t.Run("a client's identity headers never reach the app", func(t *testing.T) {
		t.Parallel()
		c, _ := s.signedIn(t, "fay")
		r, e := c.app("/docs", forgedIdentity()...)
		if r.StatusCode != http.StatusOK || e.User != "fay" || e.Email != "fay@"+testDomain {
			t.Fatalf("status %d, the app saw %+v, want fay", r.StatusCode, e)
		}
		if r, _ := c.app("/reports/q3", forgedIdentity()...); r.StatusCode != http.StatusForbidden {
			t.Fatalf("forged permissions opened /reports: status %d", r.StatusCode)
		}
	})

	t.Run("a signed-in upload reaches the app, its body not Gatehouse", func(t *testing.T) {
		t.Parallel()
		c, _ := s.signedIn(t, "gil")
		// Far over Gatehouse's own 16 kB limit on a body.
		body := strings.Repeat("x", 256<<10)
		req, err := http.NewRequest(http.MethodPost, s.appURL+"/docs/upload", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r := c.do(req)
		var e echo
		if r.StatusCode != http.StatusOK || json.Unmarshal([]byte(r.Body), &e) != nil {
			t.Fatalf("upload: status %d\n%s", r.StatusCode, r.Body)
		}
		if e.User != "gil" || e.Body != int64(len(body)) {
			t.Fatalf("the app saw %s with a %d-byte body, want gil and %d bytes", e.User, e.Body, len(body))
		}
	})

	t.Run("an anonymous form post is sent to sign in, its body not to Gatehouse", func(t *testing.T) {
		t.Parallel()
		c := s.client().on(t)
		req, err := http.NewRequest(http.MethodPost, s.appURL+"/docs/comment?id=7", strings.NewReader(strings.Repeat("x", 64<<10)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if rd := signInRedirect(t, s, c.do(req)); rd != s.appURL+"/docs/comment?id=7" {
			t.Fatalf("rd = %q", rd)
		}
	})

	t.Run("Gatehouse's cookies are stripped and the app's kept", func(t *testing.T) {
		t.Parallel()
		c := s.client().on(t)
		for _, tc := range []struct{ send, want string }{
			{"gatehouse_session=abc; app=1", "app=1"},
			{"app=1; gatehouse_session=abc", "app=1"},
			{"a=1; gatehouse_session=abc; b=2", "a=1; b=2"},
			{"gatehouse_csrf=x; gatehouse_session=abc; a=1; gatehouse_flash=y", "a=1"},
			{"a=1; gatehouse_csrf=x;gatehouse_session=abc; b=2", "a=1; b=2"},
			{"xgatehouse_session=1; b=gatehouse_session", "xgatehouse_session=1; b=gatehouse_session"},
			{"gatehouse_session=abc", ""},
		} {
			r, e := c.app("/public/cookies", "Cookie", tc.send)
			if r.StatusCode != http.StatusOK || e.Cookie != tc.want {
				t.Errorf("Cookie %q: status %d, the app got %q, want %q", tc.send, r.StatusCode, e.Cookie, tc.want)
			}
		}
	})
}

var probes atomic.Int64

func forgedIdentity() []string {
	var h []string
	for _, name := range identityHeaders {
		h = append(h, name, forged)
	}
	return h
}

// signInRedirect checks that r sends the browser to Gatehouse's sign-in
// page and returns the rd it carries.
func signInRedirect(t *testing.T, s *stack, r *response) string {
	t.Helper()
	loc, err := url.Parse(r.Header.Get("Location"))
	if r.StatusCode != http.StatusFound || err != nil ||
		loc.Scheme+"://"+loc.Host+loc.Path != s.authURL+"/login" {
		t.Fatalf("status %d to %q, want 302 to %s/login?rd=…\n%s", r.StatusCode, r.Header.Get("Location"), s.authURL, r.Body)
	}
	return loc.Query().Get("rd")
}

// refused checks that the app is no longer reached as a signed-in user:
// the proxy sends the browser to sign in again, or refuses.
func refused(t *testing.T, s *stack, c *client, path string) {
	t.Helper()
	path += "?probe=" + strconv.FormatInt(probes.Add(1), 10)
	r, _ := c.app(path)
	if r.StatusCode == http.StatusFound {
		signInRedirect(t, s, r)
	} else if r.StatusCode != http.StatusForbidden {
		t.Fatalf("%s: status %d, want a redirect to sign in or 403", path, r.StatusCode)
	}
	if _, ok := s.app.seen.Load(path); ok {
		t.Fatalf("%s reached the app", path)
	}
}

// editUser changes a user through the admin's user form, as a browser
// would: the form as the page shows it, then the change.
func (c *client) editUser(id int64, change func(page string, form url.Values)) {
	c.t.Helper()
	path := "/admin/users/" + strconv.FormatInt(id, 10)
	page := c.get(c.s.authURL + path)
	if page.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: status %d", path, page.StatusCode)
	}
	f := formValues(c.t, page.Body, `id="user-form"`)
	change(page.Body, f)
	if r := c.post(path, f); r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("POST %s: status %d\n%s", path, r.StatusCode, r.Body)
	}
}

func hasCookie(cs []*http.Cookie, name string) bool {
	for _, c := range cs {
		if c.Name == name {
			return true
		}
	}
	return false
}
