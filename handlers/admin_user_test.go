package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

func TestUserPageReadOnlyWithViewOnly(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	target := env.CreateUser(t, "target", "target@example.com", adminPW)
	viewer, vu := adminClient(t, env, "viewer", testenv.Staff)
	env.Grant(t, vu, "users.view")
	r := viewer.Get("/admin/users/" + itoa(target.ID))
	mustStatus(t, r, http.StatusOK, "view-only user page")
	if !testenv.Contains(r.Body, "Changing it needs the users.change permission", `<fieldset class="card" disabled>`, "target@example.com") {
		t.Fatalf("not read-only:\n%s", r.Body)
	}
	if strings.Contains(r.Body, "Save changes") || strings.Contains(r.Body, `id="password-form"`) {
		t.Fatal("view-only page offers changes")
	}
	// Nor do the list's rows offer bulk actions.
	if r := viewer.Get("/admin/users"); strings.Contains(r.Body, `name="ids"`) || strings.Contains(r.Body, "data-bulk-bar") {
		t.Fatal("view-only list offers bulk actions")
	}
	if r := viewer.Get("/admin/users/999999"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown user: %d", r.StatusCode)
	}
	if r := viewer.Get("/admin/users/abc"); r.StatusCode != http.StatusNotFound {
		t.Errorf("non-numeric id: %d", r.StatusCode)
	}
}

func TestUserPageSaveIsAuditedAndAppliesNextRequest(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx := context.Background()
	root, rootUser := adminClient(t, env, "root", testenv.Superuser)
	target, tu := adminClient(t, env, "target")
	editors := addToGroup(t, env, "Editors")
	addToGroup(t, env, "Support", tu)
	id := itoa(tu.ID)
	if r := target.Get("/admin/users"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("before: %d", r.StatusCode)
	}
	root.Get("/admin/users/" + id)
	r := root.Post("/admin/users/"+id, url.Values{"is_active": {"on"}, "is_staff": {"on"}, "groups": {itoa(editors.ID)},
		"perms": {"users.view", "nonsense", "users.view"}, "is_superuser_typo": {"on"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/users/"+id {
		t.Fatalf("save: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	d, err := models.Users{DB: env.DB}.Detail(ctx, tu.ID)
	testenv.Must(t, err)
	if !d.IsStaff || d.IsSuperuser || !slices.Equal(d.GroupIDs, []int64{editors.ID}) || !slices.Equal(d.Perms, []string{"users.view"}) {
		t.Fatalf("saved: %+v", d)
	}
	e := lastEvent(t, env, "user_changed")
	if e == nil || *e.UserID != tu.ID || *e.ActorID != rootUser.ID ||
		!testenv.Contains(e.Detail, "is_staff: no → yes", "groups + Editors", "groups − Support", "permissions + users.view") {
		t.Fatalf("audit: %+v", e)
	}
	// The target's next request holds the new permission.
	if r := target.Get("/admin/users"); r.StatusCode != http.StatusOK {
		t.Fatalf("after the grant: %d", r.StatusCode)
	}
	// The page shows the saved state and a toast after the redirect.
	r = root.Get("/admin/users/" + id)
	if !testenv.Contains(r.Body, `value="users.view" class="mt-1" checked`, "Saved") {
		t.Errorf("page after save:\n%s", r.Body)
	}
	// Saving the same again: no change, no event.
	before := lastEvent(t, env, "user_changed").ID
	root.Post("/admin/users/"+id, url.Values{"is_active": {"on"}, "is_staff": {"on"}, "groups": {itoa(editors.ID)}, "perms": {"users.view"}})
	if lastEvent(t, env, "user_changed").ID != before {
		t.Error("an unchanged save was audited")
	}
	// Deactivating through the page ends the user's sessions.
	r = root.Post("/admin/users/"+id, url.Values{"is_staff": {"on"}}, "HX-Request", "true")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Saved") || strings.Contains(r.Body, "<html") {
		t.Fatalf("htmx save: %d\n%s", r.StatusCode, r.Body)
	}
	if !signedOut(t, target) {
		t.Fatal("deactivated user still signed in")
	}
}

func TestUserPageGuardsSelfAndLastSuperuser(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	root, rootUser := adminClient(t, env, "root", testenv.Superuser)
	rid := itoa(rootUser.ID)
	root.Get("/admin/users/" + rid)
	// Oneself: not deactivated (the page shows the box disabled and keeps it).
	r := root.Post("/admin/users/"+rid, url.Values{"is_staff": {"on"}, "is_superuser": {"on"}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "You cannot deactivate your own account. Nothing was saved.") {
		t.Fatalf("self-deactivation: %d\n%s", r.StatusCode, r.Body)
	}
	// The last active superuser stays one.
	r = root.Post("/admin/users/"+rid, url.Values{"is_active": {"on"}, "is_staff": {"on"}, "perms": {"audit.view"}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "This is the last active superuser") {
		t.Fatalf("last superuser: %d\n%s", r.StatusCode, r.Body)
	}
	// Values as posted are kept in the refused form.
	if !strings.Contains(r.Body, `value="audit.view" class="mt-1" checked`) {
		t.Error("posted values not kept")
	}
	u := userFlags(t, env, rootUser.ID)
	if !u.IsActive || !u.IsSuperuser {
		t.Fatal("refused save changed the account")
	}
	d, _ := models.Users{DB: env.DB}.Detail(context.Background(), rootUser.ID)
	if len(d.Perms) != 0 {
		t.Fatal("refused save granted permissions")
	}
	// With a second superuser, the first may step down.
	env.CreateUser(t, "root2", "root2@example.com", adminPW, testenv.Superuser)
	r = root.Post("/admin/users/"+rid, url.Values{"is_active": {"on"}, "is_staff": {"on"}})
	mustStatus(t, r, http.StatusSeeOther, "step down")
	if userFlags(t, env, rootUser.ID).IsSuperuser {
		t.Fatal("not stepped down")
	}

	// Staff who may change users cannot make anyone a superuser.
	ops, opsUser := adminClient(t, env, "ops", testenv.Staff)
	env.Grant(t, opsUser, "users.view", "users.change")
	dan := env.CreateUser(t, "dan", "dan@example.com", adminPW)
	ops.Get("/admin/users/" + itoa(dan.ID))
	r = ops.Post("/admin/users/"+itoa(dan.ID), url.Values{"is_active": {"on"}, "is_staff": {"on"}, "is_superuser": {"on"}})
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Only a superuser can") {
		t.Fatalf("escalation: %d\n%s", r.StatusCode, r.Body)
	}
	if userFlags(t, env, dan.ID).IsSuperuser || userFlags(t, env, dan.ID).IsStaff {
		t.Fatal("escalation went through")
	}
}

// After five minutes a save asks for the password, then goes through with
// the values as first posted.
func TestUserSaveAsksForPasswordAfterFiveMinutes(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	root, _ := adminClient(t, env, "root", testenv.Superuser)
	target := env.CreateUser(t, "target", "target@example.com", adminPW)
	g := addToGroup(t, env, "Editors")
	id := itoa(target.ID)
	root.Get("/admin/users/" + id)
	env.Clock.Advance(6 * time.Minute)
	form := url.Values{"is_active": {"on"}, "is_staff": {"on"}, "groups": {itoa(g.ID)}, "perms": {"users.view", "audit.view"}}
	r := root.Post("/admin/users/"+id, clone(form))
	if r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Body, `name="reauth_password"`) {
		t.Fatalf("no password asked: %d\n%s", r.StatusCode, r.Body)
	}
	if userFlags(t, env, target.ID).IsStaff {
		t.Fatal("saved without the password")
	}
	for _, kept := range []string{`name="perms" value="users.view"`, `name="perms" value="audit.view"`, `name="groups" value="` + itoa(g.ID) + `"`, `name="is_staff" value="on"`} {
		if !strings.Contains(r.Body, kept) {
			t.Errorf("value not kept: %s", kept)
		}
	}
	wrong := clone(form)
	wrong.Set("reauth_password", "not my password")
	if r := root.Post("/admin/users/"+id, wrong); r.StatusCode != http.StatusUnprocessableEntity || userFlags(t, env, target.ID).IsStaff {
		t.Fatalf("wrong password: %d", r.StatusCode)
	}
	right := clone(form)
	right.Set("reauth_password", adminPW)
	r = root.Post("/admin/users/"+id, right)
	mustStatus(t, r, http.StatusSeeOther, "save after re-authentication")
	d, err := models.Users{DB: env.DB}.Detail(context.Background(), target.ID)
	testenv.Must(t, err)
	if !d.IsStaff || !slices.Equal(d.Perms, []string{"audit.view", "users.view"}) || !slices.Equal(d.GroupIDs, []int64{g.ID}) {
		t.Fatalf("values not kept through re-authentication: %+v", d)
	}
	// Bulk actions need it too.
	env.Clock.Advance(6 * time.Minute)
	r = root.Post("/admin/users/bulk", url.Values{"action": {"deactivate"}, "ids": {id}}, "HX-Request", "true")
	if r.StatusCode != http.StatusUnauthorized || r.Header.Get("HX-Retarget") != "#main" || !userFlags(t, env, target.ID).IsActive {
		t.Fatalf("bulk without re-authentication: %d", r.StatusCode)
	}
}

func TestAdminSetsPassword(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	root, rootUser := adminClient(t, env, "root", testenv.Superuser)
	target, tu := adminClient(t, env, "target")
	id := itoa(tu.ID)
	root.Get("/admin/users/" + id)
	r := root.Post("/admin/users/"+id+"/password", url.Values{"password": {"password"}, "password_confirm": {"password"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `aria-invalid="true"`) {
		t.Fatalf("weak password: %d\n%s", r.StatusCode, r.Body)
	}
	r = root.Post("/admin/users/"+id+"/password", url.Values{"password": {"Violet harbour lantern 9"}, "password_confirm": {"something else"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "The passwords do not match.") {
		t.Fatalf("mismatch: %d", r.StatusCode)
	}
	r = root.Post("/admin/users/"+id+"/password", url.Values{"password": {"Violet harbour lantern 9"}, "password_confirm": {"Violet harbour lantern 9"}})
	mustStatus(t, r, http.StatusSeeOther, "set password")
	var mails int
	testenv.Must(t, env.DB.NewRaw("SELECT count(*) FROM outbox WHERE to_addr = ?", tu.Email).Scan(context.Background(), &mails))
	if mails != 1 {
		t.Errorf("the user was not told by mail (%d mails queued)", mails)
	}
	if !signedOut(t, target) {
		t.Fatal("the user's sessions did not end")
	}
	c := env.Client(t)
	c.Login("target", "Violet harbour lantern 9")
	e := lastEvent(t, env, "user_password_set")
	if e == nil || *e.UserID != tu.ID || *e.ActorID != rootUser.ID {
		t.Fatalf("audit: %+v", e)
	}
	if r := root.Get("/admin/users/" + id); !strings.Contains(r.Body, "Password set") {
		t.Error("no toast")
	}
	// Setting one's own password keeps one signed in.
	r = root.Post("/admin/users/"+itoa(rootUser.ID)+"/password", url.Values{"password": {"Copper meadow whistle 7"}, "password_confirm": {"Copper meadow whistle 7"}})
	mustStatus(t, r, http.StatusSeeOther, "own password")
	if signedOut(t, root) {
		t.Fatal("own password change signed the admin out")
	}
	// Staff who may change users cannot set a superuser's password.
	ops, opsUser := adminClient(t, env, "ops", testenv.Staff)
	env.Grant(t, opsUser, "users.view", "users.change")
	ops.Get("/admin/users")
	r = ops.Post("/admin/users/"+itoa(rootUser.ID)+"/password", url.Values{"password": {"Takeover phrase 12345"}, "password_confirm": {"Takeover phrase 12345"}})
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("takeover: %d", r.StatusCode)
	}
}
