package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
)

// Refusals of admin changes. Each leaves everything as it was.
var (
	ErrSelfDeactivate = errors.New("you cannot deactivate your own account")
	ErrLastSuperuser  = errors.New("this would leave no active superuser")
	// ErrSuperuserOnly keeps staff who may change users from taking over a
	// superuser's account (a new password, a flag) or making anyone one.
	ErrSuperuserOnly = errors.New("only a superuser can change a superuser or grant superuser status")
)

// Actor is the admin making a change.
type Actor struct {
	ID          int64
	IsSuperuser bool
}

// UserDetail is a user with its group ids and direct permission codes.
type UserDetail struct {
	User
	GroupIDs []int64
	Perms    []string
}

// Detail loads what the admin user page shows.
func (s Users) Detail(ctx context.Context, id int64) (*UserDetail, error) {
	u, err := s.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &UserDetail{User: *u}
	if err := s.DB.NewRaw("SELECT group_id FROM user_groups WHERE user_id = ? ORDER BY group_id", id).Scan(ctx, &d.GroupIDs); err != nil {
		return nil, fmt.Errorf("groups of user %d: %w", id, err)
	}
	err = s.DB.NewRaw(`SELECT p.code FROM user_permissions AS up JOIN permissions AS p ON p.id = up.permission_id
WHERE up.user_id = ? ORDER BY p.code`, id).Scan(ctx, &d.Perms)
	if err != nil {
		return nil, fmt.Errorf("permissions of user %d: %w", id, err)
	}
	return d, nil
}

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

// ApplyEdit saves e on user id in one transaction, after the checks that
// keep the site administrable: nobody deactivates themselves, the last
// active superuser stays one, and only superusers touch superusers.
func (s Users) ApplyEdit(ctx context.Context, actor Actor, id int64, e UserEdit) (UserChange, error) {
	var ch UserChange
	err := inTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) error {
		supers, err := lockActiveSuperusers(ctx, tx)
		if err != nil {
			return err
		}
		cur, err := Users{DB: tx}.Detail(ctx, id)
		if err != nil {
			return err
		}
		if id == actor.ID && cur.IsActive && !e.IsActive {
			return ErrSelfDeactivate
		}
		wasActiveSuper := slices.Contains(supers, id)
		if wasActiveSuper && (!e.IsActive || !e.IsSuperuser) && len(supers) == 1 {
			return ErrLastSuperuser
		}
		if !actor.IsSuperuser && (cur.IsSuperuser || e.IsSuperuser) {
			return ErrSuperuserOnly
		}
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
			_, err := tx.NewUpdate().Model((*User)(nil)).
				Set("is_active = ?", e.IsActive).Set("is_staff = ?", e.IsStaff).Set("is_superuser = ?", e.IsSuperuser).
				Where("id = ?", id).Exec(ctx)
			if err != nil {
				return fmt.Errorf("save flags of user %d: %w", id, err)
			}
		}
		if ch.GroupsAdded, ch.GroupsRemoved, err = replaceGroups(ctx, tx, id, cur.GroupIDs, e.GroupIDs); err != nil {
			return err
		}
		ch.PermsAdded, ch.PermsRemoved, err = replaceGrants(ctx, tx, "user_permissions", "user_id", id, cur.Perms, e.Perms)
		return err
	})
	return ch, err
}

// replaceGroups makes the user's groups exactly the existing ones among
// want, and names the groups it added and removed.
func replaceGroups(ctx context.Context, tx bun.Tx, uid int64, have, want []int64) (added, removed []string, err error) {
	var groups []Group
	if err := tx.NewSelect().Model(&groups).OrderExpr("name_key").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("groups: %w", err)
	}
	for _, g := range groups {
		in, wanted := slices.Contains(have, g.ID), slices.Contains(want, g.ID)
		switch {
		case wanted && !in:
			if _, err := tx.NewRaw("INSERT INTO user_groups (user_id, group_id) VALUES (?, ?)", uid, g.ID).Exec(ctx); err != nil {
				return nil, nil, fmt.Errorf("add user %d to group %d: %w", uid, g.ID, err)
			}
			added = append(added, g.Name)
		case in && !wanted:
			if _, err := tx.NewRaw("DELETE FROM user_groups WHERE user_id = ? AND group_id = ?", uid, g.ID).Exec(ctx); err != nil {
				return nil, nil, fmt.Errorf("remove user %d from group %d: %w", uid, g.ID, err)
			}
			removed = append(removed, g.Name)
		}
	}
	return added, removed, nil
}

// lockActiveSuperusers lists the active superusers; on PostgreSQL it also
// locks their rows, so two admins demoting the last two at once are
// serialised and the second sees the first's change. (SQLite transactions
// here are immediate: writers already take turns.)
func lockActiveSuperusers(ctx context.Context, tx bun.Tx) ([]int64, error) {
	q := "SELECT id FROM users WHERE is_superuser AND is_active ORDER BY id"
	if IsPostgres(tx) {
		q += " FOR UPDATE"
	}
	var ids []int64
	if err := tx.NewRaw(q).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("active superusers: %w", err)
	}
	return ids, nil
}

// MaxBulk is the most users one bulk action may name (the largest page).
const MaxBulk = 200

// BulkSetActive activates or deactivates the users ids and returns those
// whose flag actually changed. Deactivation refuses, changing nothing, to
// include the actor or every active superuser; only superusers may change
// superusers.
func (s Users) BulkSetActive(ctx context.Context, actor Actor, ids []int64, active bool) ([]User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > MaxBulk {
		return nil, fmt.Errorf("bulk: %d users, at most %d", len(ids), MaxBulk)
	}
	var changed []User
	err := inTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) error {
		supers, err := lockActiveSuperusers(ctx, tx)
		if err != nil {
			return err
		}
		var targets []User
		if err := tx.NewSelect().Model(&targets).Where("id IN (?)", bun.In(ids)).OrderExpr("id").Scan(ctx); err != nil {
			return fmt.Errorf("bulk: load users: %w", err)
		}
		if !active {
			if slices.Contains(ids, actor.ID) {
				return ErrSelfDeactivate
			}
			left := 0
			for _, id := range supers {
				if !slices.Contains(ids, id) {
					left++
				}
			}
			if len(supers) > 0 && left == 0 {
				return ErrLastSuperuser
			}
		}
		for _, u := range targets {
			if u.IsSuperuser && !actor.IsSuperuser {
				return ErrSuperuserOnly
			}
		}
		var change []int64
		for _, u := range targets {
			if u.IsActive != active {
				u.IsActive = active
				changed = append(changed, u)
				change = append(change, u.ID)
			}
		}
		if len(change) == 0 {
			return nil
		}
		_, err = tx.NewUpdate().Model((*User)(nil)).Set("is_active = ?", active).Where("id IN (?)", bun.In(change)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("bulk: set active: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// UsernamesByID maps ids to usernames in one query (for the audit log).
func (s Users) UsernamesByID(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID       int64  `bun:"id"`
		Username string `bun:"username"`
	}
	if err := s.DB.NewRaw("SELECT id, username FROM users WHERE id IN (?)", bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("usernames: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Username
	}
	return out, nil
}

// ByUsername finds a user by username in any case.
func (s Users) ByUsername(ctx context.Context, key string) (*User, error) {
	u := new(User)
	if err := s.DB.NewSelect().Model(u).Where("username_key = ?", key).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load user %q: %w", key, notFound(err))
	}
	return u, nil
}
