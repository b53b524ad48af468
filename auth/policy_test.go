package auth

import (
	"errors"
	"testing"
)

func TestCanManage(t *testing.T) {
	t.Parallel()
	super, staff := Actor{ID: 1, IsSuperuser: true}, Actor{ID: 2}
	for _, tc := range []struct {
		name   string
		actor  Actor
		target Target
		want   error
	}{
		{"superuser on superuser", super, Target{ID: 3, Flags: Flags{IsActive: true, IsSuperuser: true}}, nil},
		{"staff on user", staff, Target{ID: 3, Flags: Flags{IsActive: true}}, nil},
		{"staff on superuser", staff, Target{ID: 3, Flags: Flags{IsActive: true, IsSuperuser: true}}, ErrSuperuserOnly},
		{"staff on inactive superuser", staff, Target{ID: 3, Flags: Flags{IsSuperuser: true}}, ErrSuperuserOnly},
	} {
		if got := CanManage(tc.actor, tc.target); !errors.Is(got, tc.want) || (tc.want == nil) != (got == nil) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCheckEdit(t *testing.T) {
	t.Parallel()
	super, staff := Actor{ID: 1, IsSuperuser: true}, Actor{ID: 2}
	activeSuper := Flags{IsActive: true, IsStaff: true, IsSuperuser: true}
	activeStaff := Flags{IsActive: true, IsStaff: true}
	for _, tc := range []struct {
		name   string
		actor  Actor
		target Target
		next   Flags
		supers []int64
		want   error
	}{
		{"superuser demotes another superuser", super, Target{ID: 5, Flags: activeSuper}, activeStaff, []int64{1, 5}, nil},
		{"deactivate oneself", staff, Target{ID: 2, Flags: activeStaff}, Flags{IsStaff: true}, []int64{1}, ErrSelfDeactivate},
		{"inactive self stays inactive", staff, Target{ID: 2, Flags: Flags{IsStaff: true}}, Flags{}, []int64{1}, nil},
		{"superuser deactivates oneself", super, Target{ID: 1, Flags: activeSuper}, Flags{IsSuperuser: true}, []int64{1, 5}, ErrSelfDeactivate},
		{"last superuser demotes oneself", super, Target{ID: 1, Flags: activeSuper}, activeStaff, []int64{1}, ErrLastSuperuser},
		{"last superuser deactivated", super, Target{ID: 5, Flags: activeSuper}, Flags{IsSuperuser: true}, []int64{5}, ErrLastSuperuser},
		{"last superuser kept", super, Target{ID: 1, Flags: activeSuper}, Flags{IsActive: true, IsSuperuser: true}, []int64{1}, nil},
		{"one of two superusers demoted", super, Target{ID: 1, Flags: activeSuper}, activeStaff, []int64{1, 5}, nil},
		{"staff edits a superuser", staff, Target{ID: 5, Flags: activeSuper}, activeSuper, []int64{1, 5}, ErrSuperuserOnly},
		{"staff grants superuser", staff, Target{ID: 6, Flags: activeStaff}, activeSuper, []int64{1}, ErrSuperuserOnly},
		{"staff edits staff", staff, Target{ID: 6, Flags: activeStaff}, Flags{IsActive: true}, []int64{1}, nil},
		{"superuser grants superuser", super, Target{ID: 6, Flags: activeStaff}, activeSuper, []int64{1}, nil},
	} {
		got := CheckEdit(tc.actor, tc.target, tc.next, tc.supers)
		if !errors.Is(got, tc.want) || (tc.want == nil) != (got == nil) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCheckSetActive(t *testing.T) {
	t.Parallel()
	super, staff := Actor{ID: 1, IsSuperuser: true}, Actor{ID: 2}
	user := func(id int64) Target { return Target{ID: id, Flags: Flags{IsActive: true}} }
	su := func(id int64) Target { return Target{ID: id, Flags: Flags{IsActive: true, IsSuperuser: true}} }
	for _, tc := range []struct {
		name    string
		actor   Actor
		ids     []int64
		targets []Target
		active  bool
		supers  []int64
		want    error
	}{
		{"deactivate users", staff, []int64{3, 4}, []Target{user(3), user(4)}, false, []int64{1}, nil},
		{"deactivate oneself among others", staff, []int64{2, 3}, []Target{user(2), user(3)}, false, []int64{1}, ErrSelfDeactivate},
		{"activate oneself", staff, []int64{2}, []Target{user(2)}, true, []int64{1}, nil},
		{"every active superuser", super, []int64{5, 6}, []Target{su(5), su(6)}, false, []int64{5, 6}, ErrLastSuperuser},
		{"some superusers left", super, []int64{5}, []Target{su(5)}, false, []int64{1, 5}, nil},
		{"no superuser at all", staff, []int64{3}, []Target{user(3)}, false, nil, nil},
		{"staff deactivates a superuser", staff, []int64{3, 5}, []Target{user(3), su(5)}, false, []int64{1, 5}, ErrSuperuserOnly},
		{"staff activates a superuser", staff, []int64{5}, []Target{{ID: 5, Flags: Flags{IsSuperuser: true}}}, true, []int64{1}, ErrSuperuserOnly},
		{"unknown ids", staff, []int64{98, 99}, nil, false, []int64{1}, nil},
	} {
		got := CheckSetActive(tc.actor, tc.ids, tc.targets, tc.active, tc.supers)
		if !errors.Is(got, tc.want) || (tc.want == nil) != (got == nil) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRightsRules(t *testing.T) {
	t.Parallel()
	perms := func(codes ...string) map[string]bool {
		m := map[string]bool{}
		for _, c := range codes {
			m[c] = true
		}
		return m
	}
	clerk := Actor{ID: 2, IsStaff: true, Perms: perms("users.view", "users.change"), GroupIDs: []int64{7}}
	super := Actor{ID: 1, IsSuperuser: true, IsStaff: true, GroupIDs: []int64{7}}
	staff := Flags{IsActive: true, IsStaff: true}
	for _, tc := range []struct {
		name string
		got  error
		want error
	}{
		{"manage one holding less", CanManage(clerk, Target{ID: 3, Flags: staff, Perms: perms("users.view")}), nil},
		{"manage one holding more", CanManage(clerk, Target{ID: 3, Flags: staff, Perms: perms("audit.view")}), ErrOutranked},
		{"manage an inactive one holding more", CanManage(clerk, Target{ID: 3, Flags: Flags{IsStaff: true}, Perms: perms("audit.view")}), ErrOutranked},
		{"manage staff when not staff", CanManage(Actor{ID: 2, Perms: perms("users.change")}, Target{ID: 3, Flags: staff}), ErrOutranked},
		{"superuser manages anyone", CanManage(super, Target{ID: 3, Flags: Flags{IsSuperuser: true}, Perms: perms("x.y")}), nil},
		{"grant held", CheckGrant(clerk, []string{"users.view"}), nil},
		{"grant not held", CheckGrant(clerk, []string{"users.view", "audit.view"}), ErrNotHeld},
		{"edit oneself", CheckUserEdit(clerk, Target{ID: 2, Flags: staff, Perms: clerk.Perms}, UserEditPlan{Next: staff, Changes: true, Grants: []string{"audit.view"}}, []int64{1}), ErrSelfEdit},
		{"save oneself unchanged", CheckUserEdit(clerk, Target{ID: 2, Flags: staff, Perms: clerk.Perms}, UserEditPlan{Next: staff}, []int64{1}), nil},
		{"grant through a group", CheckUserEdit(clerk, Target{ID: 3, Flags: staff}, UserEditPlan{Next: staff, Changes: true, Grants: []string{"audit.view"}}, []int64{1}), ErrNotHeld},
		{"staff flag by non-staff", CheckUserEdit(Actor{ID: 2}, Target{ID: 3, Flags: Flags{IsActive: true}}, UserEditPlan{Next: staff, Changes: true}, []int64{1}), ErrNotHeld},
		{"superuser edits itself", CheckUserEdit(super, Target{ID: 1, Flags: Flags{IsActive: true, IsStaff: true, IsSuperuser: true}}, UserEditPlan{Next: Flags{IsActive: true, IsStaff: true, IsSuperuser: true}, Changes: true, Grants: []string{"x.y"}}, []int64{1}), nil},
		{"own group", CheckGroupEdit(clerk, 7, nil), ErrOwnGroup},
		{"other group, held code", CheckGroupEdit(clerk, 8, []string{"users.view"}), nil},
		{"other group, code not held", CheckGroupEdit(clerk, 8, []string{"groups.change"}), ErrNotHeld},
		{"superuser, own group", CheckGroupEdit(super, 7, []string{"groups.change"}), nil},
	} {
		if !errors.Is(tc.got, tc.want) || (tc.want == nil) != (tc.got == nil) {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
