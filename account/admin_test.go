package account_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/limiter"
	"github.com/gatehouse/gatehouse/mail"
	"github.com/gatehouse/gatehouse/models"
)

// adminEnv is a Service over a fresh database, with the database at hand
// to set up users and to check that refusals changed nothing.
type adminEnv struct {
	svc  *account.Service
	db   *bun.DB
	sess *fakeSessions
}

func newAdminEnv(t *testing.T) *adminEnv {
	t.Helper()
	db := testenv.OpenDB(t)
	if _, err := models.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	sess := &fakeSessions{ended: map[int64][]string{}}
	svc := account.New(account.Deps{
		Store: models.Repo{DB: db}, Sessions: sess, Limiter: limiter.Limiter{Store: testenv.OpenStore(t, db)},
		Hasher:  auth.NewHasher(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0),
		Letters: mail.Letters{}, Clock: &clock{t: time.Now()}, SecretKey: "account-test-secret-0123456789abcdef",
		BaseURL: "http://gatehouse.test",
	})
	return &adminEnv{svc: svc, db: db, sess: sess}
}

// user creates an active user; super makes it a superuser.
func (e *adminEnv) user(t *testing.T, name string, super bool) *auth.User {
	t.Helper()
	u := &auth.User{Username: name, UsernameKey: auth.UsernameKey(name), Email: name + "@example.com",
		EmailKey: auth.EmailKey(name + "@example.com"), PasswordHash: "x", IsActive: true, IsStaff: true, IsSuperuser: super}
	testenv.Must(t, models.Users{DB: e.db}.Create(context.Background(), u))
	return u
}

func (e *adminEnv) detail(t *testing.T, id int64) *account.UserDetail {
	t.Helper()
	d, err := e.svc.UserDetail(context.Background(), id)
	testenv.Must(t, err)
	return d
}

func (e *adminEnv) events(t *testing.T, name string) int {
	t.Helper()
	n, err := e.db.NewSelect().TableExpr("audit_events").Where("event = ?", name).Count(context.Background())
	testenv.Must(t, err)
	return int(n)
}

func actorOf(u *auth.User) auth.Actor { return auth.Actor{ID: u.ID, IsSuperuser: u.IsSuperuser} }

func TestSaveUserRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAdminEnv(t)
	root, staff, other := e.user(t, "root", true), e.user(t, "staff", false), e.user(t, "other", false)
	for _, tc := range []struct {
		name   string
		actor  *auth.User
		target *auth.User
		edit   account.UserEdit
		want   error
	}{
		{"deactivate oneself", staff, staff, account.UserEdit{IsStaff: true, Perms: []string{"users.view"}}, account.ErrSelfDeactivate},
		{"demote the last superuser", root, root, account.UserEdit{IsActive: true, IsStaff: true}, account.ErrLastSuperuser},
		{"staff edits a superuser", staff, root, account.UserEdit{IsActive: true, IsStaff: true, IsSuperuser: true, Perms: []string{"users.view"}}, account.ErrSuperuserOnly},
		{"staff grants superuser", staff, other, account.UserEdit{IsActive: true, IsStaff: true, IsSuperuser: true}, account.ErrSuperuserOnly},
	} {
		before := e.detail(t, tc.target.ID)
		_, err := e.svc.SaveUser(ctx, actorOf(tc.actor), tc.target.ID, tc.edit, from)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		after := e.detail(t, tc.target.ID)
		if after.IsActive != before.IsActive || after.IsSuperuser != before.IsSuperuser || len(after.Perms) != len(before.Perms) {
			t.Errorf("%s: changed %+v → %+v", tc.name, before, after)
		}
	}
	if n := e.events(t, "user_changed"); n != 0 || len(e.sess.ended) != 0 {
		t.Fatalf("refusals recorded %d events, ended sessions %v", n, e.sess.ended)
	}
	if _, err := e.svc.SaveUser(ctx, actorOf(root), 99999, account.UserEdit{IsActive: true}, from); !account.IsNotFound(err) {
		t.Fatalf("unknown user: %v", err)
	}

	// Allowed: a superuser deactivates another user and grants a permission;
	// the user is signed out, the change audited in one line.
	ch, err := e.svc.SaveUser(ctx, actorOf(root), other.ID, account.UserEdit{IsStaff: true, Perms: []string{"users.view", "no.such"}}, from)
	testenv.Must(t, err)
	if !ch.Deactivated || ch.String() != "is_active: yes → no; permissions + users.view" {
		t.Fatalf("change %+v: %q", ch, ch.String())
	}
	if d := e.detail(t, other.ID); d.IsActive || !slices.Equal(d.Perms, []string{"users.view"}) {
		t.Fatalf("saved %+v", d)
	}
	if e.sess.ended[other.ID] == nil || e.events(t, "user_changed") != 1 {
		t.Fatalf("sessions %v, events %d", e.sess.ended, e.events(t, "user_changed"))
	}
	// The same save again changes nothing and records nothing.
	ch, err = e.svc.SaveUser(ctx, actorOf(root), other.ID, account.UserEdit{IsStaff: true, Perms: []string{"users.view"}}, from)
	if err != nil || ch.Any() || e.events(t, "user_changed") != 1 {
		t.Fatalf("no-op save: %+v %v", ch, err)
	}
}

func TestSetUsersActiveRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAdminEnv(t)
	root, staff := e.user(t, "root", true), e.user(t, "staff", false)
	a, b := e.user(t, "alpha", false), e.user(t, "beta", false)
	su2 := e.user(t, "su2", true)
	for _, tc := range []struct {
		name  string
		actor *auth.User
		ids   []int64
		want  error
	}{
		{"oneself among others", staff, []int64{a.ID, staff.ID}, account.ErrSelfDeactivate},
		{"every active superuser", staff, []int64{a.ID, root.ID, su2.ID}, account.ErrLastSuperuser},
		{"staff and a superuser", staff, []int64{a.ID, su2.ID}, account.ErrSuperuserOnly},
	} {
		if _, err := e.svc.SetUsersActive(ctx, actorOf(tc.actor), tc.ids, false, from); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if !e.detail(t, a.ID).IsActive {
			t.Fatalf("%s: alpha was deactivated", tc.name)
		}
	}
	if len(e.sess.ended) != 0 || e.events(t, "user_deactivated") != 0 {
		t.Fatalf("refusals ended sessions %v", e.sess.ended)
	}
	changed, err := e.svc.SetUsersActive(ctx, actorOf(staff), []int64{a.ID, b.ID, 99999}, false, from)
	testenv.Must(t, err)
	if len(changed) != 2 || e.detail(t, b.ID).IsActive || e.sess.ended[a.ID] == nil || e.events(t, "user_deactivated") != 2 {
		t.Fatalf("deactivated %d, sessions %v", len(changed), e.sess.ended)
	}
	// Already inactive: nothing changes, nothing is recorded.
	if changed, err := e.svc.SetUsersActive(ctx, actorOf(staff), []int64{a.ID}, false, from); err != nil || len(changed) != 0 {
		t.Fatalf("again: %d %v", len(changed), err)
	}
	ids := make([]int64, account.MaxBulk+1)
	if _, err := e.svc.SetUsersActive(ctx, actorOf(root), ids, true, from); !errors.Is(err, account.ErrTooMany) {
		t.Fatalf("too many: %v", err)
	}
}

func TestSetUserPasswordAndSignOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAdminEnv(t)
	root, staff, target := e.user(t, "root", true), e.user(t, "staff", false), e.user(t, "target", false)
	outbox := func(u *auth.User) int {
		n, err := e.db.NewSelect().TableExpr("outbox").Where("to_addr = ?", u.Email).Count(ctx)
		testenv.Must(t, err)
		return int(n)
	}
	// Only a superuser may set a superuser's password or end their sessions.
	if err := e.svc.SetUserPassword(ctx, actorOf(staff), root.ID, "Takeover phrase 12345", "", from); !errors.Is(err, account.ErrSuperuserOnly) {
		t.Fatalf("staff sets a superuser's password: %v", err)
	}
	if e.detail(t, root.ID).PasswordHash != "x" || outbox(root) != 0 {
		t.Fatal("the refused password was stored or announced")
	}
	if err := e.svc.SignOutUser(ctx, actorOf(staff), root.ID, true, "", "", from); !errors.Is(err, account.ErrSuperuserOnly) {
		t.Fatalf("staff signs a superuser out: %v", err)
	}
	if err := e.svc.SignOutUser(ctx, actorOf(root), target.ID, false, "", "", from); !errors.Is(err, account.ErrNoSessionChosen) {
		t.Fatalf("no session chosen: %v", err)
	}
	if err := e.svc.SignOutUser(ctx, actorOf(root), target.ID, false, "not-a-handle", "", from); !errors.Is(err, account.ErrSessionNotFound) {
		t.Fatalf("unknown session: %v", err)
	}
	if len(e.sess.ended) != 0 {
		t.Fatalf("refusals ended sessions: %v", e.sess.ended)
	}
	// Allowed: the target (not the admin) is told by mail; their sessions end.
	testenv.Must(t, e.svc.SetUserPassword(ctx, actorOf(staff), target.ID, "Violet harbour lantern 9", "", from))
	if outbox(target) != 1 || outbox(staff) != 0 {
		t.Fatalf("mails: target %d, admin %d", outbox(target), outbox(staff))
	}
	if e.sess.ended[target.ID] == nil || e.events(t, "user_password_set") != 1 {
		t.Fatalf("sessions %v", e.sess.ended)
	}
	testenv.Must(t, e.svc.SignOutUser(ctx, actorOf(staff), target.ID, true, "", "", from))
	if e.events(t, "sessions_revoked_by_admin") != 1 {
		t.Fatal("sign-out not audited")
	}
}

func TestGroupUseCases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newAdminEnv(t)
	root := actorOf(e.user(t, "root", true))
	ops, err := e.svc.CreateGroup(ctx, "Ops", from)
	testenv.Must(t, err)
	if _, err := e.svc.CreateGroup(ctx, " ops", from); !errors.Is(err, account.ErrGroupTaken) {
		t.Fatalf("same name in another case: %v", err)
	}
	billing, err := e.svc.CreateGroup(ctx, "Billing", from)
	testenv.Must(t, err)
	ch, err := e.svc.SaveGroup(ctx, root, billing.ID, "Billing", []string{"users.view"}, from)
	if err != nil || ch.String() != "Billing: permissions + users.view" {
		t.Fatalf("save: %q %v", ch.String(), err)
	}
	// A rename onto a taken name changes nothing, the permissions neither.
	if _, err := e.svc.SaveGroup(ctx, root, billing.ID, "OPS", nil, from); !errors.Is(err, account.ErrGroupTaken) {
		t.Fatalf("rename onto a taken name: %v", err)
	}
	if g, err := e.svc.Group(ctx, billing.ID); err != nil || g.Name != "Billing" || !slices.Equal(g.Perms, []string{"users.view"}) {
		t.Fatalf("after a refused rename: %+v %v", g, err)
	}
	if _, err := e.svc.SaveGroup(ctx, root, 99999, "X", nil, from); !account.IsNotFound(err) {
		t.Fatalf("save unknown group: %v", err)
	}
	if _, err := e.svc.DeleteGroup(ctx, root, ops.ID, from); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DeleteGroup(ctx, root, ops.ID, from); !account.IsNotFound(err) {
		t.Fatalf("delete twice: %v", err)
	}
	gs, err := e.svc.Groups(ctx)
	if err != nil || len(gs) != 1 || e.events(t, "group_created") != 2 || e.events(t, "group_changed") != 1 || e.events(t, "group_deleted") != 1 {
		t.Fatalf("groups %+v %v", gs, err)
	}
}
