package account_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// grant gives u the codes directly.
func (e *adminEnv) grant(t *testing.T, u *auth.User, codes ...string) {
	t.Helper()
	for _, code := range codes {
		_, err := e.db.ExecContext(context.Background(),
			"INSERT INTO user_permissions (user_id, permission_id) SELECT ?, id FROM permissions WHERE code = ?", u.ID, code)
		testenv.Must(t, err)
	}
}

// group creates a group granting codes, with members.
func (e *adminEnv) group(t *testing.T, name string, codes []string, members ...*auth.User) *account.Group {
	t.Helper()
	ctx := context.Background()
	root := e.user(t, "maker-"+name, true)
	g, err := e.svc.CreateGroup(ctx, name, from)
	testenv.Must(t, err)
	_, err = e.svc.SaveGroup(ctx, actorOf(root), g.ID, name, codes, from)
	testenv.Must(t, err)
	for _, m := range members {
		_, err := e.db.ExecContext(ctx, "INSERT INTO user_groups (user_id, group_id) VALUES (?, ?)", m.ID, g.ID)
		testenv.Must(t, err)
	}
	g, err = e.svc.Group(ctx, g.ID)
	testenv.Must(t, err)
	return g
}

// The attacks of the finding: a users.change holder gives itself every
// permission, sets the password of a more privileged colleague; a
// groups.change holder adds users.change to its own group. Each is refused
// and changes nothing; a superuser still may do all of it.
func TestStaffCannotRaiseTheirRights(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAdminEnv(t)
	root := e.user(t, "root", true)
	clerk := e.user(t, "clerk", false) // users.view, users.change
	e.grant(t, clerk, "users.view", "users.change")
	boss := e.user(t, "boss", false) // more: audit.view too
	e.grant(t, boss, "users.view", "users.change", "audit.view")
	peer := e.user(t, "peer", false) // less: users.view
	e.grant(t, peer, "users.view")
	plain := e.user(t, "plain", false)
	grouper := e.user(t, "grouper", false)
	own := e.group(t, "GroupAdmins", []string{"groups.view", "groups.change"}, grouper)
	other := e.group(t, "Auditors", []string{"audit.view"})

	everything := []string{"users.view", "users.change", "users.delete", "groups.view", "groups.change", "audit.view"}
	for _, tc := range []struct {
		name   string
		actor  *auth.User
		target *auth.User
		edit   account.UserEdit
		want   error
	}{
		{"gives itself every permission", clerk, clerk, account.UserEdit{IsActive: true, IsStaff: true, Perms: everything}, account.ErrSelfEdit},
		{"adds itself to a group", clerk, clerk, account.UserEdit{IsActive: true, IsStaff: true, Perms: []string{"users.view", "users.change"}, GroupIDs: []int64{other.ID}}, account.ErrSelfEdit},
		{"drops its own staff flag", clerk, clerk, account.UserEdit{IsActive: true, Perms: []string{"users.view", "users.change"}}, account.ErrSelfEdit},
		{"grants a permission it lacks", clerk, plain, account.UserEdit{IsActive: true, IsStaff: true, Perms: []string{"audit.view"}}, account.ErrNotHeld},
		{"grants it through a group", clerk, plain, account.UserEdit{IsActive: true, IsStaff: true, GroupIDs: []int64{other.ID}}, account.ErrNotHeld},
		{"edits a colleague holding more", clerk, boss, account.UserEdit{IsActive: true, IsStaff: true}, account.ErrOutranked},
	} {
		before := e.detail(t, tc.target.ID)
		_, err := e.svc.SaveUser(ctx, actorOf(tc.actor), tc.target.ID, tc.edit, from)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		after := e.detail(t, tc.target.ID)
		if after.IsStaff != before.IsStaff || !slices.Equal(after.Perms, before.Perms) || !slices.Equal(after.GroupIDs, before.GroupIDs) {
			t.Errorf("%s: changed %+v → %+v", tc.name, before, after)
		}
	}
	if n := e.events(t, "user_changed"); n != 0 {
		t.Fatalf("refusals recorded %d events", n)
	}

	// The password and the sessions of a colleague holding more.
	if err := e.svc.SetUserPassword(ctx, actorOf(clerk), boss.ID, "Takeover phrase 12345", "", from); !errors.Is(err, account.ErrOutranked) {
		t.Fatalf("password of a colleague holding more: %v", err)
	}
	if e.detail(t, boss.ID).PasswordHash != "x" {
		t.Fatal("the refused password was stored")
	}
	if err := e.svc.SignOutUser(ctx, actorOf(clerk), boss.ID, true, "", "", from); !errors.Is(err, account.ErrOutranked) {
		t.Fatalf("sign-out of a colleague holding more: %v", err)
	}
	if _, err := e.svc.SetUsersActive(ctx, actorOf(clerk), []int64{plain.ID, boss.ID}, false, from); !errors.Is(err, account.ErrOutranked) {
		t.Fatalf("bulk deactivation of a colleague holding more: %v", err)
	}
	if !e.detail(t, plain.ID).IsActive || len(e.sess.ended) != 0 {
		t.Fatal("a refused bulk action changed something")
	}

	// The group: its own, and a permission it lacks on another.
	if _, err := e.svc.SaveGroup(ctx, actorOf(grouper), own.ID, own.Name, append(own.Perms, "users.change"), from); !errors.Is(err, account.ErrOwnGroup) {
		t.Fatalf("own group: %v", err)
	}
	if _, err := e.svc.DeleteGroup(ctx, actorOf(grouper), own.ID, from); !errors.Is(err, account.ErrOwnGroup) {
		t.Fatalf("delete own group: %v", err)
	}
	if _, err := e.svc.SaveGroup(ctx, actorOf(grouper), other.ID, other.Name, []string{"audit.view", "users.change"}, from); !errors.Is(err, account.ErrNotHeld) {
		t.Fatalf("a permission it lacks: %v", err)
	}
	if g, _ := e.svc.Group(ctx, own.ID); !slices.Equal(g.Perms, own.Perms) {
		t.Fatalf("own group changed: %v", g.Perms)
	}
	if g, _ := e.svc.Group(ctx, other.ID); !slices.Equal(g.Perms, other.Perms) {
		t.Fatalf("other group changed: %v", g.Perms)
	}

	// Allowed: what the actor holds, to someone holding no more.
	testenv.Must(t, e.svc.SetUserPassword(ctx, actorOf(clerk), peer.ID, "Violet harbour lantern 9", "", from))
	if _, err := e.svc.SaveUser(ctx, actorOf(clerk), plain.ID, account.UserEdit{IsActive: true, IsStaff: true, Perms: []string{"users.view"}}, from); err != nil {
		t.Fatalf("grant of a held permission: %v", err)
	}
	if _, err := e.svc.SaveGroup(ctx, actorOf(grouper), other.ID, other.Name, []string{"groups.view"}, from); err != nil {
		t.Fatalf("held permission to another group: %v", err)
	}
	// Saving oneself unchanged is no edit.
	if _, err := e.svc.SaveUser(ctx, actorOf(clerk), clerk.ID, account.UserEdit{IsActive: true, IsStaff: true, Perms: []string{"users.view", "users.change"}}, from); err != nil {
		t.Fatalf("unchanged self save: %v", err)
	}

	// A superuser still may do all of it.
	if _, err := e.svc.SaveUser(ctx, actorOf(root), root.ID, account.UserEdit{IsActive: true, IsStaff: true, IsSuperuser: true, Perms: everything, GroupIDs: []int64{other.ID}}, from); err != nil {
		t.Fatalf("superuser edits itself: %v", err)
	}
	testenv.Must(t, e.svc.SetUserPassword(ctx, actorOf(root), boss.ID, "Takeover phrase 12345", "", from))
	if _, err := e.svc.SaveGroup(ctx, actorOf(root), other.ID, other.Name, everything, from); err != nil {
		t.Fatalf("superuser edits its own group: %v", err)
	}
	if _, err := e.svc.SaveUser(ctx, actorOf(root), clerk.ID, account.UserEdit{IsActive: true, IsStaff: true, Perms: everything}, from); err != nil {
		t.Fatalf("superuser grants everything: %v", err)
	}
}
