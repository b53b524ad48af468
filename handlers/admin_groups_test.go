package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestGroupsCreateRenamePermissionsDelete(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	root, _ := adminClient(t, env, "root", testenv.Superuser)
	member, mu := adminClient(t, env, "member", testenv.Staff)
	root.Get("/admin/groups")

	// Create: the name is required and unique in any case.
	r := root.Post("/admin/groups", url.Values{"name": {"  Editors "}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/groups/") {
		t.Fatalf("create: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	loc := r.Header.Get("Location")
	if r := root.Get(loc); !testenv.Contains(r.Body, "<h1>Editors</h1>", "Group created") {
		t.Errorf("group page after create:\n%s", r.Body)
	}
	if e := lastEvent(t, env, "group_created"); e == nil || e.Detail != "Editors" {
		t.Fatalf("audit: %+v", e)
	}
	for name, want := range map[string]string{"EDITORS": "A group with this name already exists.", "": "Enter a name for the group.",
		"a\x01b": "Use letters, digits, spaces and punctuation only.", strings.Repeat("g", 151): "Use at most 150 characters."} {
		r := root.Post("/admin/groups", url.Values{"name": {name}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, want) || !strings.Contains(r.Body, `aria-invalid="true"`) {
			t.Errorf("create %q: %d, want %q", name, r.StatusCode, want)
		}
	}
	if r := root.Get("/admin/groups"); !testenv.Contains(r.Body, ">Editors</a>") {
		t.Errorf("list after create:\n%s", r.Body)
	}
	addToGroup(t, env, "Editors", mu)
	if r := member.Get("/admin/users"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("member before the grant: %d", r.StatusCode)
	}

	// Rename and give permissions: members hold them from their next request.
	r = root.Post(loc, url.Values{"name": {"Reviewers"}, "perms": {"users.view", "audit.view", "bogus.perm"}})
	mustStatus(t, r, http.StatusSeeOther, "save group")
	if r := member.Get("/admin/users"); r.StatusCode != http.StatusOK {
		t.Fatalf("member after the grant: %d", r.StatusCode)
	}
	e := lastEvent(t, env, "group_changed")
	if e == nil || !testenv.Contains(e.Detail, "renamed from Editors", "permissions + audit.view, users.view") {
		t.Fatalf("audit: %+v", e)
	}
	r = root.Get(loc)
	if !testenv.Contains(r.Body, `value="Reviewers"`, `value="users.view" class="mt-1" checked`, "/admin/users?group=Reviewers") {
		t.Errorf("group page:\n%s", r.Body)
	}
	// The user list filters by the group.
	if r := root.Get("/admin/users?group=reviewers"); !strings.Contains(r.Body, ">member</a>") || strings.Contains(r.Body, ">root</a>") {
		t.Errorf("group filter:\n%s", r.Body)
	}
	// A clashing rename keeps the form and says why.
	addToGroup(t, env, "Support")
	r = root.Post(loc, url.Values{"name": {"support"}, "perms": {"users.view"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !testenv.Contains(r.Body, "A group with this name already exists.", `value="support"`) {
		t.Errorf("clashing rename: %d", r.StatusCode)
	}

	// Delete: the members lose what it gave them.
	r = root.Post(loc+"/delete", nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/groups" {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	if r := member.Get("/admin/users"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("member after delete: %d", r.StatusCode)
	}
	if e := lastEvent(t, env, "group_deleted"); e == nil || e.Detail != "Reviewers" {
		t.Fatalf("audit: %+v", e)
	}
	if r := root.Get(loc); r.StatusCode != http.StatusNotFound {
		t.Errorf("deleted group: %d", r.StatusCode)
	}
	if r := root.Post(loc+"/delete", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("delete again: %d", r.StatusCode)
	}
}

func TestGroupsReadOnlyWithViewOnly(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	viewer, vu := adminClient(t, env, "viewer", testenv.Staff)
	env.Grant(t, vu, "groups.view")
	g := addToGroup(t, env, "Ops")
	r := viewer.Get("/admin/groups")
	mustStatus(t, r, http.StatusOK, "groups list")
	if strings.Contains(r.Body, `id="group-create"`) || strings.Contains(r.Body, "/admin/users?group=") {
		t.Errorf("view-only list offers creation or member links without users.view")
	}
	r = viewer.Get("/admin/groups/" + itoa(g.ID))
	if !testenv.Contains(r.Body, "<fieldset disabled>", "needs the groups.change permission") || strings.Contains(r.Body, "Delete group") {
		t.Errorf("view-only group page:\n%s", r.Body)
	}
	// The sub-navigation shows only the sections one may open.
	if strings.Contains(r.Body, `href="/admin/users"`+` aria-current`) || strings.Contains(r.Body, `<a class="chip" href="/admin/audit"`) {
		t.Errorf("sub-navigation links sections without permission")
	}
}
