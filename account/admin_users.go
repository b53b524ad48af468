package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/auth"
)

// Refusals of the admin edits (the rules are auth's: auth.CheckEdit,
// auth.CheckSetActive, auth.CanManage). Each leaves everything as it was.
var (
	ErrSelfDeactivate = auth.ErrSelfDeactivate
	ErrLastSuperuser  = auth.ErrLastSuperuser
	ErrSuperuserOnly  = auth.ErrSuperuserOnly
	ErrSelfEdit       = auth.ErrSelfEdit
	ErrOwnGroup       = auth.ErrOwnGroup
	ErrNotHeld        = auth.ErrNotHeld
	ErrOutranked      = auth.ErrOutranked
	// ErrNoSessionChosen: a sign-out of a user's sessions named none.
	ErrNoSessionChosen = errors.New("no session chosen")
	// ErrTooMany: a bulk action named more than MaxBulk users.
	ErrTooMany = errors.New("too many users at once")
)

// MaxBulk is the most users one bulk action may name (the largest page).
const MaxBulk = 200

// UserEdit is what the admin user page saves: the flags, the groups (by
// id) and the direct permissions (by code), each as a whole.
type UserEdit struct {
	IsActive, IsStaff, IsSuperuser bool
	GroupIDs                       []int64
	Perms                          []string
}

// UserChange says what a save changed, for the audit log and the page.
type UserChange struct {
	Flags                      []string // e.g. "is_staff: no → yes"
	GroupsAdded, GroupsRemoved []string // group names
	PermsAdded, PermsRemoved   []string // permission codes
	Deactivated                bool
}

// Any reports whether anything changed.
func (c UserChange) Any() bool {
	return len(c.Flags)+len(c.GroupsAdded)+len(c.GroupsRemoved)+len(c.PermsAdded)+len(c.PermsRemoved) > 0
}

// String is the change in one line, for the audit log.
func (c UserChange) String() string {
	var parts []string
	parts = append(parts, c.Flags...)
	list := func(label string, xs []string) {
		if len(xs) > 0 {
			parts = append(parts, label+" "+strings.Join(xs, ", "))
		}
	}
	list("groups +", c.GroupsAdded)
	list("groups −", c.GroupsRemoved)
	list("permissions +", c.PermsAdded)
	list("permissions −", c.PermsRemoved)
	return strings.Join(parts, "; ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func targetOf(u *auth.User) auth.Target {
	return auth.Target{ID: u.ID, Flags: auth.Flags{IsActive: u.IsActive, IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser}}
}

// targetIn is u as the subject of an admin change, with the permissions it
// is granted (active or not), read in st.
func targetIn(ctx context.Context, st Store, u *auth.User) (auth.Target, error) {
	t := targetOf(u)
	perms, err := st.Perms().OfUser(ctx, u.ID)
	if err != nil {
		return t, err
	}
	t.Perms = perms
	return t, nil
}

// actorIn reads what the admin a holds (flags, permissions, groups) in st,
// the transaction of the change, so the rules judge the state the change
// is made on, not what the caller believed. An actor that is gone or
// inactive holds nothing.
func actorIn(ctx context.Context, st Store, a auth.Actor) (auth.Actor, error) {
	d, err := st.AdminUsers().Detail(ctx, a.ID)
	if IsNotFound(err) {
		return auth.Actor{ID: a.ID}, nil
	}
	if err != nil {
		return auth.Actor{}, err
	}
	if !d.IsActive {
		return auth.Actor{ID: a.ID}, nil
	}
	perms, err := st.Perms().OfUser(ctx, a.ID)
	if err != nil {
		return auth.Actor{}, err
	}
	return auth.Actor{ID: a.ID, IsSuperuser: d.IsSuperuser, IsStaff: d.IsStaff, Perms: perms, GroupIDs: d.GroupIDs}, nil
}

// planUserEdit works out what saving e over cur would change and grant,
// before anything is written: unknown permission codes and groups that do
// not exist are ignored, as the save ignores them.
func planUserEdit(ctx context.Context, st Store, cur *UserDetail, e UserEdit) (auth.UserEditPlan, error) {
	plan := auth.UserEditPlan{Next: auth.Flags{IsActive: e.IsActive, IsStaff: e.IsStaff, IsSuperuser: e.IsSuperuser}}
	plan.Changes = cur.IsActive != e.IsActive || cur.IsStaff != e.IsStaff || cur.IsSuperuser != e.IsSuperuser
	known, err := st.Perms().Codes(ctx)
	if err != nil {
		return plan, err
	}
	for _, code := range e.Perms {
		if slices.Contains(known, code) && !slices.Contains(cur.Perms, code) {
			plan.Grants = append(plan.Grants, code)
		}
	}
	for _, code := range cur.Perms {
		if !slices.Contains(e.Perms, code) {
			plan.Changes = true
		}
	}
	groups, err := st.Groups().List(ctx)
	if err != nil {
		return plan, err
	}
	for _, g := range groups {
		want, have := slices.Contains(e.GroupIDs, g.ID), slices.Contains(cur.GroupIDs, g.ID)
		if want && !have {
			plan.Grants = append(plan.Grants, g.Perms...)
		}
		if want != have {
			plan.Changes = true
		}
	}
	plan.Changes = plan.Changes || len(plan.Grants) > 0
	return plan, nil
}

// UserList is one page of the admin user list and what the page shows
// around it.
type UserList struct {
	UserPage
	// Count is read for the unfiltered list only.
	Count UserCount
	// Groups are the names of every group, for the filter.
	Groups []string
}

// ListUsers reads one page of the user list (ErrBadCursor for a page link
// the list did not make).
func (s *Service) ListUsers(ctx context.Context, p UserListParams) (*UserList, error) {
	st := s.store
	page, err := st.AdminUsers().List(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &UserList{UserPage: page}
	if !p.Filtered() {
		if out.Count, err = st.AdminUsers().CountAll(ctx); err != nil {
			return nil, err
		}
	}
	groups, err := st.Groups().List(ctx)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		out.Groups = append(out.Groups, g.Name)
	}
	return out, nil
}

// UserDetail loads a user for the admin user page (ErrNotFound).
func (s *Service) UserDetail(ctx context.Context, id int64) (*UserDetail, error) {
	st := s.store
	return st.AdminUsers().Detail(ctx, id)
}

// SaveUser saves e on user id in one transaction, after auth.CheckUserEdit
// (what the actor holds is read in the same transaction).
// A deactivated user is signed out everywhere; new grants apply from the
// user's next request. A save that changes something is audited.
func (s *Service) SaveUser(ctx context.Context, actor auth.Actor, id int64, e UserEdit, from Client) (UserChange, error) {
	var (
		ch   UserChange
		name string
	)
	err := s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		users := tx.AdminUsers()
		supers, err := users.LockActiveSuperusers(ctx)
		if err != nil {
			return err
		}
		cur, err := users.Detail(ctx, id)
		if err != nil {
			return err
		}
		name = cur.Username
		if actor, err = actorIn(ctx, tx, actor); err != nil {
			return err
		}
		target, err := targetIn(ctx, tx, &cur.User)
		if err != nil {
			return err
		}
		plan, err := planUserEdit(ctx, tx, cur, e)
		if err != nil {
			return err
		}
		if err := auth.CheckUserEdit(actor, target, plan, supers); err != nil {
			return err
		}
		next := plan.Next
		for _, f := range []struct {
			col      string
			old, new bool
		}{{"is_active", cur.IsActive, e.IsActive}, {"is_staff", cur.IsStaff, e.IsStaff}, {"is_superuser", cur.IsSuperuser, e.IsSuperuser}} {
			if f.old != f.new {
				ch.Flags = append(ch.Flags, f.col+": "+yesNo(f.old)+" → "+yesNo(f.new))
			}
		}
		ch.Deactivated = cur.IsActive && !e.IsActive
		if len(ch.Flags) > 0 {
			if err := users.SetFlags(ctx, id, next); err != nil {
				return err
			}
		}
		if ch.GroupsAdded, ch.GroupsRemoved, err = users.ReplaceGroups(ctx, id, cur.GroupIDs, e.GroupIDs); err != nil {
			return err
		}
		ch.PermsAdded, ch.PermsRemoved, err = users.ReplacePerms(ctx, id, cur.Perms, e.Perms)
		return err
	})
	if err != nil || !ch.Any() {
		return ch, err
	}
	s.usersChanged(ctx, id)
	if ch.Deactivated {
		if _, err := s.sessions.EndAll(ctx, id, ""); err != nil {
			return ch, err
		}
	}
	s.Record(ctx, from, "user_changed", id, name, ch.String())
	s.log.Info("user changed", "user", name, "user_id", id, "by_id", from.ActorID, "changes", ch.String(), "ip", from.IP)
	return ch, nil
}

// SetUsersActive activates or deactivates the users ids at once, after
// auth.CheckSetActive, and returns those whose flag changed (nothing
// changes on a refusal). Deactivated users are signed out everywhere; each
// change is audited.
func (s *Service) SetUsersActive(ctx context.Context, actor auth.Actor, ids []int64, active bool, from Client) ([]auth.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > MaxBulk {
		return nil, fmt.Errorf("bulk: %d users, at most %d: %w", len(ids), MaxBulk, ErrTooMany)
	}
	var changed []auth.User
	err := s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		users := tx.AdminUsers()
		supers, err := users.LockActiveSuperusers(ctx)
		if err != nil {
			return err
		}
		found, err := users.ByIDs(ctx, ids)
		if err != nil {
			return err
		}
		if actor, err = actorIn(ctx, tx, actor); err != nil {
			return err
		}
		targets := make([]auth.Target, len(found))
		for i := range found {
			if actor.IsSuperuser {
				targets[i] = targetOf(&found[i])
			} else if targets[i], err = targetIn(ctx, tx, &found[i]); err != nil {
				return err
			}
		}
		if err := auth.CheckSetActive(actor, ids, targets, active, supers); err != nil {
			return err
		}
		var change []int64
		for _, u := range found {
			if u.IsActive != active {
				u.IsActive = active
				changed = append(changed, u)
				change = append(change, u.ID)
			}
		}
		if len(change) == 0 {
			return nil
		}
		return users.SetActive(ctx, change, active)
	})
	if err != nil {
		return nil, err
	}
	ids = ids[:0:0]
	for _, u := range changed {
		ids = append(ids, u.ID)
	}
	s.usersChanged(ctx, ids...)
	event := "user_activated"
	if !active {
		event = "user_deactivated"
	}
	names := make([]string, 0, len(changed))
	for _, u := range changed {
		if !active {
			if _, err := s.sessions.EndAll(ctx, u.ID, ""); err != nil {
				return changed, err
			}
		}
		s.Record(ctx, from, event, u.ID, u.Username, "bulk")
		names = append(names, u.Username)
	}
	s.log.Info("bulk "+event, "by_id", from.ActorID, "users", strings.Join(names, ","),
		"changed", len(changed), "selected", len(ids), "ip", from.IP)
	return changed, nil
}

// SetUserPassword sets the password of user id for an admin (the rules of
// the password are the caller's form's). Only a superuser may set a
// superuser's, and nobody that of an account holding more than they do
// (auth.CanManage, checked again in the transaction that stores it). A
// pending email change of the user is cancelled with the password. The user's reset links die, the user is told by mail, and
// every session of theirs ends but keep (the admin's own, when it is their
// own password; the caller then rotates it).
func (s *Service) SetUserPassword(ctx context.Context, actor auth.Actor, id int64, password, keep string, from Client) error {
	u, err := s.store.Users().ByID(ctx, id)
	if err != nil {
		return err
	}
	if err := s.canManage(ctx, s.store, actor, id); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	err = s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		if err := s.canManage(ctx, tx, actor, id); err != nil {
			return err
		}
		if err := tx.Users().SetPasswordHash(ctx, id, hash, now); err != nil {
			return err
		}
		if err := tx.Tokens().Revoke(ctx, id, now, auth.TokenPasswordReset, auth.TokenEmailChange); err != nil {
			return err
		}
		// The user is told, as after a change or reset of their own.
		return s.queueMail(ctx, tx, Mail{Kind: MailPasswordChanged, To: u.Email, Username: u.Username, At: now, IP: from.IP})
	})
	if err != nil {
		return err
	}
	s.wake()
	s.usersChanged(ctx, id) // the pending email change it cancelled
	if _, err := s.sessions.EndAll(ctx, id, keep); err != nil {
		return err
	}
	s.Record(ctx, from, "user_password_set", id, u.Username, "")
	s.log.Info("password set by admin", "user", u.Username, "user_id", id, "by_id", from.ActorID, "ip", from.IP)
	return nil
}

// SignOutUser ends sessions of user id for an admin: every one (all) but
// keep (the admin's own, on their own page), or the one named by handle
// (ErrSessionNotFound when it has ended). Only a superuser may sign a
// superuser out, and nobody an account holding more than they do.
func (s *Service) SignOutUser(ctx context.Context, actor auth.Actor, id int64, all bool, handle, keep string, from Client) error {
	u, err := s.store.Users().ByID(ctx, id)
	if err != nil {
		return err
	}
	if err := s.canManage(ctx, s.store, actor, id); err != nil {
		return err
	}
	var detail string
	switch {
	case all:
		n, err := s.sessions.EndAll(ctx, u.ID, keep)
		if err != nil {
			return err
		}
		detail = strconv.Itoa(n) + " sessions"
	case handle != "":
		if err := s.EndSessionByHandle(ctx, u.ID, handle); err != nil {
			return err
		}
		detail = "1 session"
	default:
		return ErrNoSessionChosen
	}
	s.Record(ctx, from, "sessions_revoked_by_admin", u.ID, u.Username, detail)
	s.log.Info("sessions revoked by admin", "by_id", from.ActorID, "user", u.Username, "user_id", u.ID,
		"detail", detail, "ip", from.IP)
	return nil
}

// canManage applies auth.CanManage to actor and user id as they are in st.
func (s *Service) canManage(ctx context.Context, st Store, a auth.Actor, id int64) error {
	u, err := st.Users().ByID(ctx, id)
	if err != nil {
		return err
	}
	actor, err := actorIn(ctx, st, a)
	if err != nil {
		return err
	}
	target, err := targetIn(ctx, st, u)
	if err != nil {
		return err
	}
	return auth.CanManage(actor, target)
}
