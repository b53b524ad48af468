package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

var allPerms = []string{"users.view", "users.change", "users.delete", "groups.view", "groups.change", "audit.view"}

// Each admin page: anonymous visitors go to sign-in (303, or HX-Redirect for
// htmx), signed-in users without staff or without the permission get 403,
// and a staff user with exactly that permission gets the page.
func TestAdminPageGuards(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	target := env.CreateUser(t, "target", "target@example.com", adminPW)
	g := addToGroup(t, env, "Ops")
	pages := []struct{ path, perm string }{
		{"/admin/users?q=t", "users.view"},
		{"/admin/users/" + itoa(target.ID), "users.view"},
		{"/admin/groups", "groups.view"},
		{"/admin/groups/" + itoa(g.ID), "groups.view"},
		{"/admin/audit", "audit.view"},
	}
	anon := env.Client(t)
	notStaff, nsUser := adminClient(t, env, "notstaff")
	env.Grant(t, nsUser, allPerms...)
	staffNoPerm, _ := adminClient(t, env, "staffer", testenv.Staff)
	for _, p := range pages {
		r := anon.Get(p.path)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next="+url.QueryEscape(p.path) {
			t.Errorf("anonymous %s: %d %q", p.path, r.StatusCode, r.Header.Get("Location"))
		}
		r = anon.Get(p.path, "HX-Request", "true")
		if r.StatusCode != http.StatusOK || r.Header.Get("HX-Redirect") != "/login?next="+url.QueryEscape(p.path) {
			t.Errorf("anonymous htmx %s: %d %q", p.path, r.StatusCode, r.Header.Get("HX-Redirect"))
		}
		for name, c := range map[string]*testenv.Client{"not staff (all permissions)": notStaff, "staff without permission": staffNoPerm} {
			r := c.Get(p.path)
			if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Permission denied") || !strings.Contains(r.Body, "<html") {
				t.Errorf("%s %s: %d", name, p.path, r.StatusCode)
			}
			r = c.Get(p.path, "HX-Request", "true")
			if r.StatusCode != http.StatusForbidden || strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, "Permission denied") {
				t.Errorf("%s htmx %s: %d %s", name, p.path, r.StatusCode, r.Body)
			}
		}
		permitted, u := adminClient(t, env, "ok"+strings.ReplaceAll(p.perm, ".", "")+itoa(int64(len(p.path))), testenv.Staff)
		env.Grant(t, u, p.perm)
		if r := permitted.Get(p.path); r.StatusCode != http.StatusOK {
			t.Errorf("permitted %s: %d\n%s", p.path, r.StatusCode, r.Body)
		}
	}
}

// Every admin form refuses a missing CSRF token and a missing permission,
// and changes nothing either way.
func TestAdminFormsRefuseWithoutCSRFOrPermission(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	target := env.CreateUser(t, "target", "target@example.com", adminPW)
	g := addToGroup(t, env, "Ops")
	id, gid := itoa(target.ID), itoa(g.ID)
	forms := []struct {
		path string
		form url.Values
		perm string // the permission the form needs
	}{
		{"/admin/users/bulk", url.Values{"action": {"deactivate"}, "ids": {id}}, "users.change"},
		{"/admin/users/" + id, url.Values{"is_staff": {"on"}}, "users.change"},
		{"/admin/users/" + id + "/password", url.Values{"password": {"Another long phrase 42"}, "password_confirm": {"Another long phrase 42"}}, "users.change"},
		{"/admin/groups", url.Values{"name": {"New"}}, "groups.change"},
		{"/admin/groups/" + gid, url.Values{"name": {"Renamed"}}, "groups.change"},
		{"/admin/groups/" + gid + "/delete", url.Values{}, "groups.change"},
	}
	viewer, vu := adminClient(t, env, "viewer", testenv.Staff)
	env.Grant(t, vu, "users.view", "groups.view", "audit.view")
	viewer.Get("/admin/users")
	root, _ := adminClient(t, env, "root", testenv.Superuser)
	root.Get("/admin/users")
	anon := env.Client(t)
	anon.Get("/login")
	before := snapshot(t, env, target.ID, g.ID)
	for _, f := range forms {
		// Client.Post adds the client's token to the values: each gets a copy.
		r := anon.Post(f.path, clone(f.form))
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
			t.Errorf("anonymous POST %s: %d %q", f.path, r.StatusCode, r.Header.Get("Location"))
		}
		if r := viewer.Post(f.path, clone(f.form)); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Permission denied") {
			t.Errorf("POST %s without %s: %d\n%s", f.path, f.perm, r.StatusCode, r.Body)
		}
		noCSRF := url.Values{"csrf_token": {"forged"}}
		for k, v := range f.form {
			noCSRF[k] = v
		}
		if r := root.Post(f.path, noCSRF); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Form expired") {
			t.Errorf("POST %s with a forged token: %d", f.path, r.StatusCode)
		}
		if r := root.PostRaw(f.path, f.form.Encode()); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Form expired") {
			t.Errorf("POST %s without a token: %d", f.path, r.StatusCode)
		}
	}
	if after := snapshot(t, env, target.ID, g.ID); after != before {
		t.Fatalf("refused posts changed something:\n%s\n%s", before, after)
	}
	// The same form with the token and the permission goes through.
	if r := root.Post("/admin/users/"+id, url.Values{"is_active": {"on"}, "is_staff": {"on"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("permitted save: %d\n%s", r.StatusCode, r.Body)
	}
	if !userFlags(t, env, target.ID).IsStaff {
		t.Fatal("permitted save did not apply")
	}
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// snapshot describes a user and a group, to check that nothing changed.
func snapshot(t *testing.T, env *testenv.Env, uid, gid int64) string {
	t.Helper()
	ctx := context.Background()
	d, err := models.Users{DB: env.DB}.Detail(ctx, uid)
	testenv.Must(t, err)
	var groups []string
	gs, err := models.Groups{DB: env.DB}.List(ctx)
	testenv.Must(t, err)
	for _, g := range gs {
		groups = append(groups, g.Name+":"+strings.Join(g.Perms, ","))
	}
	return strings.Join([]string{d.PasswordHash, itoa(boolInt(d.IsActive)), itoa(boolInt(d.IsStaff)), strings.Join(d.Perms, ","),
		strings.Join(groups, ";"), itoa(int64(len(d.GroupIDs))), itoa(gid)}, "|")
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// HasPerm at the HTTP level: who may open /admin/users (users.view).
func TestHasPermThroughHTTP(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx := context.Background()
	editors := addToGroup(t, env, "Viewers")
	_, err := models.Groups{DB: env.DB}.Update(ctx, editors.ID, "Viewers", []string{"users.view"})
	testenv.Must(t, err)

	super, _ := adminClient(t, env, "super", testenv.Superuser)
	viaGroup, gu := adminClient(t, env, "viagroup", testenv.Staff)
	addToGroup(t, env, "Viewers", gu)
	direct, du := adminClient(t, env, "direct", testenv.Staff)
	env.Grant(t, du, "users.view")
	none, nu := adminClient(t, env, "none", testenv.Staff)
	for name, tc := range map[string]struct {
		c    *testenv.Client
		want int
	}{
		"superuser without grants": {super, 200}, "group grant": {viaGroup, 200}, "direct grant": {direct, 200}, "none": {none, 403},
	} {
		if r := tc.c.Get("/admin/users"); r.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", name, r.StatusCode, tc.want)
		}
	}
	// A grant applies from the user's next request; so does its removal.
	env.Grant(t, nu, "users.view")
	if r := none.Get("/admin/users"); r.StatusCode != 200 {
		t.Errorf("after a direct grant: %d", r.StatusCode)
	}
	_, err = models.Groups{DB: env.DB}.Update(ctx, editors.ID, "Viewers", nil)
	testenv.Must(t, err)
	env.GroupChanged(editors.ID)
	if r := viaGroup.Get("/admin/users"); r.StatusCode != 403 {
		t.Errorf("after the group lost the permission: %d", r.StatusCode)
	}
	// An inactive user holds nothing, superuser or not: deactivated mid-session,
	// the next request is signed out.
	sup2, s2 := adminClient(t, env, "super2", testenv.Superuser)
	_, err = env.DB.ExecContext(ctx, "UPDATE users SET is_active = ? WHERE id = ?", false, s2.ID)
	testenv.Must(t, err)
	env.UsersChanged(s2.ID)
	if r := sup2.Get("/admin/users"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("inactive superuser: %d", r.StatusCode)
	}
}
