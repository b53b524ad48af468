package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

// The three attacks of the finding, over HTTP: each answers 403 and
// changes nothing; a superuser may still do each of them.
func TestStaffCannotRaiseTheirRightsOverHTTP(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx := context.Background()
	clerk, cu := adminClient(t, env, "clerk", testenv.Staff)
	env.Grant(t, cu, "users.view", "users.change")
	_, boss := adminClient(t, env, "boss", testenv.Staff)
	env.Grant(t, boss, "users.view", "users.change", "audit.view")
	grouper, gu := adminClient(t, env, "grouper", testenv.Staff)
	own := addToGroup(t, env, "GroupAdmins", gu)
	_, err := env.DB.ExecContext(ctx, "INSERT INTO group_permissions (group_id, permission_id) SELECT ?, id FROM permissions WHERE code IN ('groups.view', 'groups.change')", own.ID)
	testenv.Must(t, err)
	env.GroupChanged(own.ID)
	root, _ := adminClient(t, env, "root", testenv.Superuser)

	detail := func(id int64) *models.UserDetail {
		d, err := models.Users{DB: env.DB}.Detail(ctx, id)
		testenv.Must(t, err)
		return d
	}
	groupPerms := func() []string {
		g, err := models.Groups{DB: env.DB}.ByID(ctx, own.ID)
		testenv.Must(t, err)
		return g.Perms
	}
	everything := url.Values{"is_active": {"on"}, "is_staff": {"on"},
		"perms": {"users.view", "users.change", "users.delete", "groups.view", "groups.change", "audit.view"}}

	// 1. A users.change holder gives itself every permission.
	clerk.Get("/admin/users/" + itoa(cu.ID))
	r := clerk.Post("/admin/users/"+itoa(cu.ID), everything)
	mustStatus(t, r, http.StatusForbidden, "self grant")
	if !testenv.Contains(r.Body, "You cannot change your own flags, groups or permissions") {
		t.Errorf("self grant page:\n%s", r.Body)
	}
	if d := detail(cu.ID); !slices.Equal(d.Perms, []string{"users.change", "users.view"}) {
		t.Fatalf("self grant stored: %v", d.Perms)
	}

	// 2. It sets the password of a more privileged colleague.
	bossHash := detail(boss.ID).PasswordHash
	r = clerk.Post("/admin/users/"+itoa(boss.ID)+"/password", url.Values{"password": {"Takeover phrase 12345"}, "password_confirm": {"Takeover phrase 12345"}})
	mustStatus(t, r, http.StatusForbidden, "password of a colleague holding more")
	if !testenv.Contains(r.Body, "cannot set its password") || detail(boss.ID).PasswordHash != bossHash {
		t.Fatalf("password refused? stored? %s", r.Body)
	}
	if lastEvent(t, env, "user_password_set") != nil {
		t.Fatal("refused password audited as set")
	}

	// 3. A groups.change holder adds users.change to its own group.
	grouper.Get("/admin/groups/" + itoa(own.ID))
	r = grouper.Post("/admin/groups/"+itoa(own.ID), url.Values{"name": {own.Name}, "perms": {"groups.view", "groups.change", "users.change"}})
	mustStatus(t, r, http.StatusForbidden, "own group")
	if got := groupPerms(); !slices.Equal(got, []string{"groups.change", "groups.view"}) {
		t.Fatalf("own group changed: %v", got)
	}
	if lastEvent(t, env, "group_changed") != nil || lastEvent(t, env, "user_changed") != nil {
		t.Fatal("a refusal was audited as a change")
	}

	// A superuser may do all three.
	root.Get("/admin/users")
	mustStatus(t, root.Post("/admin/users/"+itoa(cu.ID), everything), http.StatusSeeOther, "superuser grants everything")
	if d := detail(cu.ID); len(d.Perms) != 6 {
		t.Fatalf("superuser's grant: %v", d.Perms)
	}
	mustStatus(t, root.Post("/admin/users/"+itoa(boss.ID)+"/password", url.Values{"password": {"Takeover phrase 12345"}, "password_confirm": {"Takeover phrase 12345"}}),
		http.StatusSeeOther, "superuser sets a password")
	mustStatus(t, root.Post("/admin/groups/"+itoa(own.ID), url.Values{"name": {own.Name}, "perms": {"groups.view", "groups.change", "users.change"}}),
		http.StatusSeeOther, "superuser edits the group")
	if got := groupPerms(); len(got) != 3 {
		t.Fatalf("superuser's group edit: %v", got)
	}
}
