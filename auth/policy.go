package auth

import (
	"errors"
	"slices"
)

// Who may change whom. These rules keep the site administrable: nobody
// deactivates themselves, the last active superuser stays one, and staff
// who may change users cannot take over a superuser's account (its flags,
// its password, its sessions) or make anyone a superuser. Each refusal
// means nothing was changed.
var (
	ErrSelfDeactivate = errors.New("you cannot deactivate your own account")
	ErrLastSuperuser  = errors.New("this would leave no active superuser")
	ErrSuperuserOnly  = errors.New("only a superuser can change a superuser or grant superuser status")
	// ErrSelfEdit: staff change their own flags, groups or permissions.
	ErrSelfEdit = errors.New("you cannot change your own flags, groups or permissions")
	// ErrOwnGroup: staff change a group they belong to.
	ErrOwnGroup = errors.New("you cannot change a group you belong to")
	// ErrNotHeld: a grant of a permission (or the staff flag) the actor
	// does not hold, directly, through a group, or to a group.
	ErrNotHeld = errors.New("you cannot grant a permission you do not hold")
	// ErrOutranked: the account holds something the actor does not.
	ErrOutranked = errors.New("this account holds rights you do not have")
)

// Actor is the admin making a change. IsSuperuser means an active
// superuser. IsStaff, Perms and GroupIDs are what the actor holds, read in
// the transaction of the change; an inactive actor holds nothing.
type Actor struct {
	ID          int64
	IsSuperuser bool
	IsStaff     bool
	// Perms are the codes the actor holds, directly or through a group.
	Perms map[string]bool
	// GroupIDs are the groups the actor belongs to.
	GroupIDs []int64
}

// Holds reports whether the actor holds code (a superuser holds all).
func (a Actor) Holds(code string) bool { return a.IsSuperuser || a.Perms[code] }

// Flags are the status flags of an account.
type Flags struct {
	IsActive, IsStaff, IsSuperuser bool
}

// Target is an account an admin change is about.
type Target struct {
	ID int64
	Flags
	// Perms are the codes granted to the account, directly or through a
	// group, whether or not it is active (an inactive account gets them
	// back when it is activated).
	Perms map[string]bool
}

// CanManage says whether actor may act on the account of target as a
// whole (edit it, set its password, sign its sessions out): only a
// superuser may act on a superuser, and nobody on an account that holds
// more than they do (a permission or the staff flag they lack), so that
// a password set or a session taken over cannot raise anyone's rights.
func CanManage(actor Actor, target Target) error {
	if actor.IsSuperuser {
		return nil
	}
	if target.IsSuperuser {
		return ErrSuperuserOnly
	}
	if target.IsStaff && !actor.IsStaff {
		return ErrOutranked
	}
	for code, ok := range target.Perms {
		if ok && !actor.Holds(code) {
			return ErrOutranked
		}
	}
	return nil
}

// CheckGrant says whether actor may give the codes to an account or a
// group: only those it holds itself (a superuser holds all).
func CheckGrant(actor Actor, codes []string) error {
	for _, code := range codes {
		if !actor.Holds(code) {
			return ErrNotHeld
		}
	}
	return nil
}

// UserEditPlan is what a save of an account's flags, groups and direct
// permissions would do, worked out before anything is written.
type UserEditPlan struct {
	Next Flags
	// Changes says whether anything (flags, groups, permissions) differs.
	Changes bool
	// Grants are the codes the save gives the account: new direct
	// permissions and every permission of the groups it adds.
	Grants []string
}

// CheckUserEdit says whether actor may save plan on target: the flag rules
// of CheckEdit, then (for anyone but a superuser) nobody edits themselves,
// nobody edits an account that holds more than they do, and nobody grants
// what they do not hold (the staff flag included).
func CheckUserEdit(actor Actor, target Target, plan UserEditPlan, activeSupers []int64) error {
	if err := CheckEdit(actor, target, plan.Next, activeSupers); err != nil {
		return err
	}
	if actor.IsSuperuser {
		return nil
	}
	if target.ID == actor.ID && plan.Changes {
		return ErrSelfEdit
	}
	if err := CanManage(actor, target); err != nil {
		return err
	}
	if plan.Next.IsStaff && !target.IsStaff && !actor.IsStaff {
		return ErrNotHeld
	}
	return CheckGrant(actor, plan.Grants)
}

// CheckGroupEdit says whether actor may change group groupID so that it
// grants added besides what it did: not a group the actor belongs to (a
// superuser may), and no code the actor does not hold.
func CheckGroupEdit(actor Actor, groupID int64, added []string) error {
	if actor.IsSuperuser {
		return nil
	}
	if slices.Contains(actor.GroupIDs, groupID) {
		return ErrOwnGroup
	}
	return CheckGrant(actor, added)
}

// CheckEdit says whether actor may change the flags of target to next.
// activeSupers are the ids of the active superusers, read in the same
// transaction as the change.
func CheckEdit(actor Actor, target Target, next Flags, activeSupers []int64) error {
	if target.ID == actor.ID && target.IsActive && !next.IsActive {
		return ErrSelfDeactivate
	}
	if slices.Contains(activeSupers, target.ID) && len(activeSupers) == 1 && (!next.IsActive || !next.IsSuperuser) {
		return ErrLastSuperuser
	}
	if !actor.IsSuperuser && (target.IsSuperuser || next.IsSuperuser) {
		return ErrSuperuserOnly
	}
	return nil
}

// CheckSetActive says whether actor may activate (active) or deactivate
// the accounts ids at once; targets are those of them that exist, and
// activeSupers the ids of the active superusers.
func CheckSetActive(actor Actor, ids []int64, targets []Target, active bool, activeSupers []int64) error {
	if !active {
		if slices.Contains(ids, actor.ID) {
			return ErrSelfDeactivate
		}
		left := 0
		for _, id := range activeSupers {
			if !slices.Contains(ids, id) {
				left++
			}
		}
		if len(activeSupers) > 0 && left == 0 {
			return ErrLastSuperuser
		}
	}
	for _, t := range targets {
		if err := CanManage(actor, t); err != nil {
			return err
		}
	}
	return nil
}
