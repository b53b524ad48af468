package models

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
)

// The statements of the admin edits; the rules of who may change whom are
// auth's, applied by account in the same transaction.

// UserDetail is a user with its group ids and direct permission codes.
type UserDetail = account.UserDetail

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

// ByIDs loads the users among ids that exist, by id.
func (s Users) ByIDs(ctx context.Context, ids []int64) ([]User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []User
	if err := s.DB.NewSelect().Model(&out).Where("id IN (?)", bun.In(ids)).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load users %v: %w", ids, err)
	}
	return out, nil
}

// LockActiveSuperusers lists the active superusers; on PostgreSQL it also
// locks their rows, so two admins demoting the last two at once are
// serialised and the second sees the first's change. (SQLite transactions
// here are immediate: writers already take turns.) Call it in a transaction.
func (s Users) LockActiveSuperusers(ctx context.Context) ([]int64, error) {
	q := "SELECT id FROM users WHERE is_superuser AND is_active ORDER BY id"
	if IsPostgres(s.DB) {
		q += " FOR UPDATE"
	}
	var ids []int64
	if err := s.DB.NewRaw(q).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("active superusers: %w", err)
	}
	return ids, nil
}

// SetFlags stores the status flags of a user.
func (s Users) SetFlags(ctx context.Context, id int64, f auth.Flags) error {
	_, err := s.DB.NewUpdate().Model((*User)(nil)).
		Set("is_active = ?", f.IsActive).Set("is_staff = ?", f.IsStaff).Set("is_superuser = ?", f.IsSuperuser).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("save flags of user %d: %w", id, err)
	}
	return nil
}

// SetActive activates or deactivates the users ids.
func (s Users) SetActive(ctx context.Context, ids []int64, active bool) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.DB.NewUpdate().Model((*User)(nil)).Set("is_active = ?", active).Where("id IN (?)", bun.In(ids)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set active of users %v: %w", ids, err)
	}
	return nil
}

// ReplaceGroups makes the user's groups exactly the existing ones among
// want (have: the current ones), and names the groups it added and removed.
func (s Users) ReplaceGroups(ctx context.Context, uid int64, have, want []int64) (added, removed []string, err error) {
	var groups []Group
	if err := s.DB.NewSelect().Model(&groups).OrderExpr("name_key").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("groups: %w", err)
	}
	for _, g := range groups {
		in, wanted := slices.Contains(have, g.ID), slices.Contains(want, g.ID)
		switch {
		case wanted && !in:
			if _, err := s.DB.NewRaw("INSERT INTO user_groups (user_id, group_id) VALUES (?, ?)", uid, g.ID).Exec(ctx); err != nil {
				return nil, nil, fmt.Errorf("add user %d to group %d: %w", uid, g.ID, err)
			}
			added = append(added, g.Name)
		case in && !wanted:
			if _, err := s.DB.NewRaw("DELETE FROM user_groups WHERE user_id = ? AND group_id = ?", uid, g.ID).Exec(ctx); err != nil {
				return nil, nil, fmt.Errorf("remove user %d from group %d: %w", uid, g.ID, err)
			}
			removed = append(removed, g.Name)
		}
	}
	return added, removed, nil
}

// ReplacePerms makes the user's direct permissions exactly the known codes
// among want, and names the codes it added and removed.
func (s Users) ReplacePerms(ctx context.Context, uid int64, have, want []string) (added, removed []string, err error) {
	return replaceGrants(ctx, s.DB, "user_permissions", "user_id", uid, have, want)
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
