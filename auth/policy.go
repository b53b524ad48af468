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
)

// Actor is the admin making a change. IsSuperuser means an active superuser.
type Actor struct {
	ID          int64
	IsSuperuser bool
}

// Flags are the status flags of an account.
type Flags struct {
	IsActive, IsStaff, IsSuperuser bool
}

// Target is an account an admin change is about.
type Target struct {
	ID int64
	Flags
}

// CanManage says whether actor may act on the account of target as a
// whole (set its password, sign its sessions out): only a superuser may
// act on a superuser.
func CanManage(actor Actor, target Target) error {
	if target.IsSuperuser && !actor.IsSuperuser {
		return ErrSuperuserOnly
	}
	return nil
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
