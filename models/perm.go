package models

import (
	"context"
	"fmt"
	"sort"

	"github.com/uptrace/bun"
)

// Permission is a code "area.action" with a human name.
type Permission struct {
	bun.BaseModel `bun:"table:permissions"`

	ID   int64  `bun:"id,pk,autoincrement"`
	Code string `bun:"code,notnull"`
	Name string `bun:"name,notnull"`
}

// Group is a named set of permissions.
type Group struct {
	bun.BaseModel `bun:"table:groups"`

	ID      int64  `bun:"id,pk,autoincrement"`
	Name    string `bun:"name,notnull"`
	NameKey string `bun:"name_key,notnull"`
}

// Perms reads permissions and grants.
type Perms struct{ DB bun.IDB }

// All lists every permission, by code.
func (p Perms) All(ctx context.Context) ([]Permission, error) {
	var out []Permission
	if err := p.DB.NewSelect().Model(&out).OrderExpr("code").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list permissions: %w", err)
	}
	return out, nil
}

// Codes lists every permission code.
func (p Perms) Codes(ctx context.Context) ([]string, error) {
	all, err := p.All(ctx)
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(all))
	for i, perm := range all {
		codes[i] = perm.Code
	}
	return codes, nil
}

// OfUser returns the codes granted to a user directly or through a group,
// in one query.
func (p Perms) OfUser(ctx context.Context, userID int64) (map[string]bool, error) {
	var codes []string
	err := p.DB.NewRaw(`
SELECT p.code FROM permissions p JOIN user_permissions up ON up.permission_id = p.id WHERE up.user_id = ?
UNION
SELECT p.code FROM permissions p
  JOIN group_permissions gp ON gp.permission_id = p.id
  JOIN user_groups ug ON ug.group_id = gp.group_id
 WHERE ug.user_id = ?`, userID, userID).Scan(ctx, &codes)
	if err != nil {
		return nil, fmt.Errorf("permissions of user %d: %w", userID, err)
	}
	out := make(map[string]bool, len(codes))
	for _, c := range codes {
		out[c] = true
	}
	return out, nil
}

// GroupIDsOfUser lists the ids of a user's groups.
func (p Perms) GroupIDsOfUser(ctx context.Context, userID int64) ([]int64, error) {
	var ids []int64
	err := p.DB.NewSelect().TableExpr("user_groups").Column("group_id").Where("user_id = ?", userID).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("group ids of user %d: %w", userID, err)
	}
	return ids, nil
}

// GroupNamesOfUser lists the names of a user's groups, sorted.
func (p Perms) GroupNamesOfUser(ctx context.Context, userID int64) ([]string, error) {
	var names []string
	err := p.DB.NewSelect().TableExpr("groups AS g").Column("g.name").
		Join("JOIN user_groups AS ug ON ug.group_id = g.id").
		Where("ug.user_id = ?", userID).Scan(ctx, &names)
	if err != nil {
		return nil, fmt.Errorf("groups of user %d: %w", userID, err)
	}
	sort.Strings(names)
	return names, nil
}
