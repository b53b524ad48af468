package models

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
	"golang.org/x/text/unicode/norm"

	"github.com/gatehouse/gatehouse/account"
)

// ErrGroupTaken is returned when another group already has the name.
var ErrGroupTaken = account.ErrGroupTaken

// GroupNameKey folds a group name for the unique index on name_key.
func GroupNameKey(name string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(name)))
}

// GroupRow is a group with its permission codes.
type GroupRow struct {
	Group
	Perms []string
}

// Groups is the groups table and its grants.
type Groups struct{ DB bun.IDB }

// List returns every group by name, each with its permission codes, in two queries.
func (g Groups) List(ctx context.Context) ([]GroupRow, error) {
	var groups []Group
	if err := g.DB.NewSelect().Model(&groups).OrderExpr("name_key, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	var grants []struct {
		GroupID int64  `bun:"group_id"`
		Code    string `bun:"code"`
	}
	err := g.DB.NewRaw(`SELECT gp.group_id, p.code FROM group_permissions AS gp
JOIN permissions AS p ON p.id = gp.permission_id ORDER BY p.code`).Scan(ctx, &grants)
	if err != nil {
		return nil, fmt.Errorf("list group permissions: %w", err)
	}
	byGroup := map[int64][]string{}
	for _, gr := range grants {
		byGroup[gr.GroupID] = append(byGroup[gr.GroupID], gr.Code)
	}
	out := make([]GroupRow, len(groups))
	for i, grp := range groups {
		out[i] = GroupRow{Group: grp, Perms: byGroup[grp.ID]}
	}
	return out, nil
}

// ByID loads one group with its permission codes.
func (g Groups) ByID(ctx context.Context, id int64) (*GroupRow, error) {
	row := &GroupRow{}
	if err := g.DB.NewSelect().Model(&row.Group).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load group %d: %w", id, notFound(err))
	}
	err := g.DB.NewRaw(`SELECT p.code FROM group_permissions AS gp JOIN permissions AS p ON p.id = gp.permission_id
WHERE gp.group_id = ? ORDER BY p.code`, id).Scan(ctx, &row.Perms)
	if err != nil {
		return nil, fmt.Errorf("permissions of group %d: %w", id, err)
	}
	return row, nil
}

// ByName finds a group by name, in any case.
func (g Groups) ByName(ctx context.Context, name string) (*Group, error) {
	grp := new(Group)
	if err := g.DB.NewSelect().Model(grp).Where("name_key = ?", GroupNameKey(name)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load group %q: %w", name, notFound(err))
	}
	return grp, nil
}

// Create inserts a group; the unique index decides between two creations
// of one name.
func (g Groups) Create(ctx context.Context, name string) (*Group, error) {
	grp := &Group{Name: name, NameKey: GroupNameKey(name)}
	if _, err := g.DB.NewInsert().Model(grp).Returning("id").Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return nil, ErrGroupTaken
		}
		return nil, fmt.Errorf("create group %q: %w", name, err)
	}
	return grp, nil
}

// GroupChange says what an edit of a group changed.
type GroupChange = account.GroupChange

// Update renames a group and replaces its permissions with codes (unknown
// codes are ignored), in one transaction.
func (g Groups) Update(ctx context.Context, id int64, name string, codes []string) (GroupChange, error) {
	var ch GroupChange
	err := inTx(ctx, g.DB, func(ctx context.Context, tx bun.Tx) error {
		cur, err := Groups{DB: tx}.ByID(ctx, id)
		if err != nil {
			return err
		}
		ch.OldName, ch.NewName = cur.Name, name
		if name != cur.Name {
			if err := (Groups{DB: tx}).Rename(ctx, id, name); err != nil {
				return err
			}
		}
		ch.Added, ch.Removed, err = replaceGrants(ctx, tx, "group_permissions", "group_id", id, cur.Perms, codes)
		return err
	})
	return ch, err
}

// Rename renames a group; ErrGroupTaken when another has the name.
func (g Groups) Rename(ctx context.Context, id int64, name string) error {
	_, err := g.DB.NewUpdate().Model((*Group)(nil)).Set("name = ?", name).Set("name_key = ?", GroupNameKey(name)).
		Where("id = ?", id).Exec(ctx)
	if isUniqueViolation(err) {
		return ErrGroupTaken
	}
	if err != nil {
		return fmt.Errorf("rename group %d: %w", id, err)
	}
	return nil
}

// Delete removes a group; memberships and grants go with it.
func (g Groups) Delete(ctx context.Context, id int64) (*Group, error) {
	grp := new(Group)
	err := inTx(ctx, g.DB, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(grp).Where("id = ?", id).Scan(ctx); err != nil {
			return fmt.Errorf("delete group %d: %w", id, notFound(err))
		}
		// Explicit deletes, so SQLite without foreign keys behaves the same.
		for _, t := range []string{"user_groups", "group_permissions"} {
			if _, err := tx.NewDelete().TableExpr(t).Where("group_id = ?", id).Exec(ctx); err != nil {
				return fmt.Errorf("delete group %d: %s: %w", id, t, err)
			}
		}
		if _, err := tx.NewDelete().Model((*Group)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete group %d: %w", id, err)
		}
		return nil
	})
	return grp, err
}

// replaceGrants makes the permissions of one owner (a group or a user)
// exactly the known codes among want, and says which codes it added and
// removed.
func replaceGrants(ctx context.Context, tx bun.IDB, table, ownerCol string, owner int64, have, want []string) (added, removed []string, err error) {
	var known []Permission
	if err := tx.NewSelect().Model(&known).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("grants: %w", err)
	}
	ids := map[string]int64{}
	for _, p := range known {
		ids[p.Code] = p.ID
	}
	for _, code := range want {
		if _, ok := ids[code]; ok && !slices.Contains(have, code) && !slices.Contains(added, code) {
			added = append(added, code)
		}
	}
	for _, code := range have {
		if !slices.Contains(want, code) {
			removed = append(removed, code)
		}
	}
	for _, code := range added {
		_, err := tx.NewRaw("INSERT INTO "+table+" ("+ownerCol+", permission_id) VALUES (?, ?)", owner, ids[code]).Exec(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("grant %s: %w", code, err)
		}
	}
	for _, code := range removed {
		_, err := tx.NewRaw("DELETE FROM "+table+" WHERE "+ownerCol+" = ? AND permission_id = ?", owner, ids[code]).Exec(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("revoke %s: %w", code, err)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	return added, removed, nil
}

// inTx runs f in a transaction of db (or in the one db already is).
func inTx(ctx context.Context, db bun.IDB, f func(ctx context.Context, tx bun.Tx) error) error {
	if tx, ok := db.(bun.Tx); ok {
		return f(ctx, tx)
	}
	return db.RunInTx(ctx, nil, f)
}
