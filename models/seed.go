package models

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// SeedOptions says how many demo users to create and their shared hash.
type SeedOptions struct {
	Users        int
	PasswordHash string
}

// SeedResult counts what Seed made.
type SeedResult struct {
	Users, Groups, Memberships int
	First, Last                string
}

var seedGroups = []string{"Staff", "Support", "Editors", "Billing", "Beta testers"}

// Seed creates users user000001… after the highest seeded number already
// present, a few groups and random memberships, in large batches.
func Seed(ctx context.Context, db *bun.DB, o SeedOptions) (SeedResult, error) {
	var res SeedResult
	start, err := nextSeedNumber(ctx, db)
	if err != nil {
		return res, err
	}
	groupIDs, err := ensureGroups(ctx, db, seedGroups)
	if err != nil {
		return res, err
	}
	res.Groups = len(groupIDs)
	rng := rand.New(rand.NewPCG(uint64(start), 42))
	base := time.Now().UTC().Add(-time.Duration(o.Users) * time.Minute)
	const batch = 2000
	for from := 0; from < o.Users; from += batch {
		to := min(from+batch, o.Users)
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			users := make([]User, 0, to-from)
			for i := from; i < to; i++ {
				name := fmt.Sprintf("user%06d", start+i)
				joined := base.Add(time.Duration(i) * time.Minute)
				users = append(users, User{
					Username: name, UsernameKey: name, Email: name + "@example.test", EmailKey: name + "@example.test",
					PasswordHash: o.PasswordHash, IsActive: rng.IntN(20) != 0, IsStaff: rng.IntN(100) == 0,
					DateJoined: joined, PasswordChangedAt: joined,
				})
			}
			if _, err := tx.NewInsert().Model(&users).Returning("id").Exec(ctx); err != nil {
				return fmt.Errorf("seed users: %w", err)
			}
			var links []map[string]any
			for _, u := range users {
				for _, gid := range groupIDs {
					if rng.IntN(10) == 0 {
						links = append(links, map[string]any{"user_id": u.ID, "group_id": gid})
					}
				}
			}
			if len(links) > 0 {
				if _, err := tx.NewInsert().Model(&links).TableExpr("user_groups").Exec(ctx); err != nil {
					return fmt.Errorf("seed memberships: %w", err)
				}
			}
			res.Memberships += len(links)
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	res.Users = o.Users
	res.First = fmt.Sprintf("user%06d", start)
	res.Last = fmt.Sprintf("user%06d", start+o.Users-1)
	return res, nil
}

func nextSeedNumber(ctx context.Context, db bun.IDB) (int, error) {
	var last string
	err := db.NewSelect().Model((*User)(nil)).Column("username_key").
		Where("username_key LIKE 'user%'").Where("email_key LIKE '%@example.test'").
		OrderExpr("username_key DESC").Limit(1).Scan(ctx, &last)
	if err != nil && !IsNotFound(notFound(err)) {
		return 0, fmt.Errorf("seed: find last user: %w", err)
	}
	n := 0
	if last != "" {
		fmt.Sscanf(strings.TrimPrefix(last, "user"), "%d", &n)
	}
	return n + 1, nil
}

func ensureGroups(ctx context.Context, db bun.IDB, names []string) ([]int64, error) {
	ids := make([]int64, 0, len(names))
	for _, name := range names {
		g := &Group{Name: name, NameKey: strings.ToLower(name)}
		if _, err := db.NewInsert().Model(g).On("CONFLICT (name_key) DO NOTHING").Exec(ctx); err != nil {
			return nil, fmt.Errorf("seed group %s: %w", name, err)
		}
		if err := db.NewSelect().Model(g).Where("name_key = ?", g.NameKey).Scan(ctx); err != nil {
			return nil, fmt.Errorf("seed group %s: %w", name, err)
		}
		ids = append(ids, g.ID)
	}
	return ids, nil
}
