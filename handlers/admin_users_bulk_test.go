package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestBulkActivateDeactivate(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	root, rootUser := adminClient(t, env, "root", testenv.Superuser)
	ann, annUser := adminClient(t, env, "ann")
	bea, beaUser := adminClient(t, env, "bea")
	carl := env.CreateUser(t, "carl", "carl@example.com", adminPW, testenv.Inactive)
	root.Get("/admin/users")

	back := "/admin/users?q=a&sort=-joined"
	r := root.Post("/admin/users/bulk", url.Values{"action": {"deactivate"}, "ids": {itoa(annUser.ID), itoa(beaUser.ID)}, "back": {back}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != back {
		t.Fatalf("bulk deactivate: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if userFlags(t, env, annUser.ID).IsActive || userFlags(t, env, beaUser.ID).IsActive {
		t.Fatal("not deactivated")
	}
	// Deactivation ends their sessions at once.
	if !signedOut(t, ann) || !signedOut(t, bea) {
		t.Fatal("deactivated users are still signed in")
	}
	e := lastEvent(t, env, "user_deactivated")
	if e == nil || e.ActorID == nil || *e.ActorID != rootUser.ID || e.Detail != "bulk" {
		t.Fatalf("audit: %+v", e)
	}
	// The flash toast shows on the page the action returns to.
	if r := root.Get(back); !strings.Contains(r.Body, "Users deactivated") {
		t.Errorf("no toast after the redirect")
	}

	// With htmx: the table comes back with a toast, no reload; an unsafe
	// "back" is ignored.
	r = root.Post("/admin/users/bulk", url.Values{"action": {"activate"}, "ids": {itoa(annUser.ID), itoa(carl.ID)}, "back": {"//evil.example/admin/users"}},
		"HX-Request", "true", "HX-Target", "user-table")
	mustStatus(t, r, http.StatusOK, "htmx bulk activate")
	if !strings.HasPrefix(r.Body, `<div id="user-table">`) || !testenv.Contains(r.Body, `hx-swap-oob="innerHTML"`, "2 users activated.") {
		t.Fatalf("htmx bulk answer:\n%s", r.Body)
	}
	if !userFlags(t, env, annUser.ID).IsActive || !userFlags(t, env, carl.ID).IsActive || userFlags(t, env, beaUser.ID).IsActive {
		t.Fatal("activate applied to the wrong users")
	}
	// Nothing to change: said so.
	r = root.Post("/admin/users/bulk", url.Values{"action": {"activate"}, "ids": {itoa(annUser.ID)}}, "HX-Request", "true")
	if !strings.Contains(r.Body, "No changes: the selected users were already activated.") {
		t.Errorf("no-op answer:\n%s", r.Body)
	}

	// Bad requests: 400; no selection: 422 with a message; nothing changes.
	for _, f := range []url.Values{
		{"action": {"delete"}, "ids": {itoa(annUser.ID)}},
		{"ids": {itoa(annUser.ID)}},
		{"action": {"deactivate"}, "ids": {"1x"}},
		{"action": {"deactivate"}, "ids": {"-3"}},
	} {
		if r := root.Post("/admin/users/bulk", f); r.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: %d", f, r.StatusCode)
		}
	}
	many := url.Values{"action": {"deactivate"}}
	for i := range 201 {
		many.Add("ids", itoa(int64(1000+i)))
	}
	if r := root.Post("/admin/users/bulk", many); r.StatusCode != http.StatusBadRequest {
		t.Errorf("201 ids: %d", r.StatusCode)
	}
	r = root.Post("/admin/users/bulk", url.Values{"action": {"deactivate"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Select at least one user first.") {
		t.Errorf("empty selection: %d", r.StatusCode)
	}
	if !userFlags(t, env, annUser.ID).IsActive {
		t.Fatal("a refused bulk action changed something")
	}
}

func TestBulkRefusesSelfAndLastSuperuser(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	root, rootUser := adminClient(t, env, "root", testenv.Superuser)
	dana := env.CreateUser(t, "dana", "dana@example.com", adminPW)
	root.Get("/admin/users")

	// Oneself, even among others: 409, nothing changes, the selection is kept.
	r := root.Post("/admin/users/bulk", url.Values{"action": {"deactivate"}, "ids": {itoa(dana.ID), itoa(rootUser.ID)}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "You cannot deactivate your own account. Nothing was changed.") {
		t.Fatalf("self: %d\n%s", r.StatusCode, r.Body)
	}
	if !strings.Contains(r.Body, `value="`+itoa(dana.ID)+`" checked`) {
		t.Errorf("selection not kept:\n%s", r.Body)
	}
	if !userFlags(t, env, dana.ID).IsActive || !userFlags(t, env, rootUser.ID).IsActive {
		t.Fatal("a refused bulk action changed something")
	}

	// A staff user who may change users cannot deactivate the last active
	// superuser (409), nor any superuser while others remain (403).
	ops, opsUser := adminClient(t, env, "ops", testenv.Staff)
	env.Grant(t, opsUser, "users.view", "users.change")
	ops.Get("/admin/users")
	r = ops.Post("/admin/users/bulk", url.Values{"action": {"deactivate"}, "ids": {itoa(rootUser.ID)}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "That would leave no active superuser.") {
		t.Fatalf("last superuser: %d\n%s", r.StatusCode, r.Body)
	}
	other := env.CreateUser(t, "other", "other@example.com", adminPW, testenv.Superuser)
	r = ops.Post("/admin/users/bulk", url.Values{"action": {"deactivate"}, "ids": {itoa(other.ID)}}, "HX-Request", "true")
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Only a superuser can change a superuser") || strings.Contains(r.Body, "<html") {
		t.Fatalf("superuser by staff: %d\n%s", r.StatusCode, r.Body)
	}
	if !userFlags(t, env, rootUser.ID).IsActive || !userFlags(t, env, other.ID).IsActive {
		t.Fatal("superusers were deactivated")
	}
	// A superuser may deactivate another superuser while one stays active.
	r = root.Post("/admin/users/bulk", url.Values{"action": {"deactivate"}, "ids": {itoa(other.ID)}})
	mustStatus(t, r, http.StatusSeeOther, "superuser deactivates another")
}
