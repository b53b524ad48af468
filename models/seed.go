package models

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
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

// seeder makes the demo users: user000001… joined a minute apart, one in
// twenty inactive, one in a hundred staff, about two in three signed in at
// some point, and each in each demo group with a chance of one in ten.
type seeder struct {
	start  int
	n      int
	hash   string
	base   time.Time
	now    time.Time
	rng    *rand.Rand
	groups []int64
}

func (s *seeder) user(i int) User {
	name := fmt.Sprintf("user%06d", s.start+i)
	joined := s.base.Add(time.Duration(i) * time.Minute)
	u := User{
		Username: name, UsernameKey: name, Email: name + "@example.test", EmailKey: name + "@example.test",
		PasswordHash: s.hash, IsActive: s.rng.IntN(20) != 0, IsStaff: s.rng.IntN(100) == 0,
		DateJoined: joined, PasswordChangedAt: joined,
	}
	if s.rng.IntN(3) != 0 {
		span := s.now.Sub(joined)
		if span > 0 {
			at := joined.Add(time.Duration(s.rng.Int64N(int64(span)))).Truncate(time.Microsecond)
			u.LastLogin = &at
		}
	}
	return u
}

func (s *seeder) memberships(uid int64, add func(uid, gid int64)) {
	for _, gid := range s.groups {
		if s.rng.IntN(10) == 0 {
			add(uid, gid)
		}
	}
}

// Seed creates users user000001… after the highest seeded number already
// present, a few groups and random memberships. PostgreSQL gets them by
// COPY in one transaction; SQLite in batched inserts.
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
	now := time.Now().UTC().Truncate(time.Microsecond)
	s := &seeder{
		start: start, n: o.Users, hash: o.PasswordHash, now: now,
		base:   now.Add(-time.Duration(o.Users) * time.Minute),
		rng:    rand.New(rand.NewPCG(uint64(start), 42)),
		groups: groupIDs,
	}
	if IsPostgres(db) {
		res.Memberships, err = s.copyPostgres(ctx, db)
	} else {
		res.Memberships, err = s.insertBatches(ctx, db)
	}
	if err != nil {
		return res, err
	}
	// Fresh statistics: the planner's row estimates (and the user list's
	// "about N users") should not wait for autovacuum.
	for _, t := range []string{"users", "user_groups", "groups"} {
		if _, err := db.ExecContext(ctx, "ANALYZE "+t); err != nil {
			return res, fmt.Errorf("seed: analyze %s: %w", t, err)
		}
	}
	res.Groups = len(groupIDs)
	res.Users = o.Users
	res.First = fmt.Sprintf("user%06d", start)
	res.Last = fmt.Sprintf("user%06d", start+o.Users-1)
	return res, nil
}

var seedUserColumns = []string{"id", "username", "username_key", "email", "email_key", "password_hash",
	"is_active", "is_staff", "is_superuser", "email_verified", "date_joined", "last_login", "password_changed_at"}

// copyPostgres reserves the users' ids from the identity sequence, then
// streams users and memberships with COPY, in one transaction: all or nothing.
func (s *seeder) copyPostgres(ctx context.Context, db *bun.DB) (int, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("seed: %w", err)
	}
	defer conn.Close()
	var links int
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("seed: driver connection is %T, not pgx", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return fmt.Errorf("seed: begin: %w", err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		var ids []int64
		err = tx.QueryRow(ctx, `SELECT array_agg(nextval(pg_get_serial_sequence('users', 'id')) ORDER BY g)
FROM generate_series(1, $1) AS g`, s.n).Scan(&ids)
		if err != nil {
			return fmt.Errorf("seed: reserve ids: %w", err)
		}
		if len(ids) != s.n {
			return fmt.Errorf("seed: reserved %d ids for %d users", len(ids), s.n)
		}
		rebuild, err := s.dropIndexesForLoad(ctx, tx)
		if err != nil {
			return err
		}
		var members [][]any
		i := 0
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"users"}, seedUserColumns, pgx.CopyFromFunc(func() ([]any, error) {
			if i == s.n {
				return nil, nil
			}
			u := s.user(i)
			id := ids[i]
			i++
			s.memberships(id, func(uid, gid int64) { members = append(members, []any{uid, gid}) })
			return []any{id, u.Username, u.UsernameKey, u.Email, u.EmailKey, u.PasswordHash,
				u.IsActive, u.IsStaff, u.IsSuperuser, u.EmailVerified, u.DateJoined, u.LastLogin, u.PasswordChangedAt}, nil
		}))
		if err != nil {
			return fmt.Errorf("seed: copy users: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"user_groups"}, []string{"user_id", "group_id"}, pgx.CopyFromRows(members)); err != nil {
			return fmt.Errorf("seed: copy memberships: %w", err)
		}
		links = len(members)
		for _, def := range rebuild {
			if _, err := tx.Exec(ctx, def); err != nil {
				return fmt.Errorf("seed: rebuild index: %w\n%s", err, def)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("seed: commit: %w", err)
		}
		return nil
	})
	return links, err
}

// bulkLoadMin is the smallest seed that drops and rebuilds indexes.
const bulkLoadMin = 50_000

// dropIndexesForLoad drops the secondary indexes of users and user_groups
// when the load is large and at least as big as the table, and returns the
// statements that rebuild them: building an index from all rows at once is
// several times faster than updating it row by row. It all happens in the
// seed's transaction, so a failure leaves every index as it was; meanwhile
// the table is locked, which a demo or benchmark seed can afford.
func (s *seeder) dropIndexesForLoad(ctx context.Context, tx pgx.Tx) ([]string, error) {
	if s.n < bulkLoadMin {
		return nil, nil
	}
	var rows float64
	if err := tx.QueryRow(ctx, "SELECT reltuples FROM pg_class WHERE oid = to_regclass('users')").Scan(&rows); err != nil {
		return nil, fmt.Errorf("seed: size of users: %w", err)
	}
	if rows > float64(s.n) {
		return nil, nil
	}
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	// Indexes that back a constraint (primary keys) stay: foreign keys need them.
	r, err := tx.Query(ctx, `SELECT i.oid::regclass::text, pg_get_indexdef(i.oid)
FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid
WHERE x.indrelid IN (to_regclass('users'), to_regclass('user_groups'))
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = x.indexrelid)
ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("seed: list indexes: %w", err)
	}
	var names, defs []string
	for r.Next() {
		var name, def string
		if err := r.Scan(&name, &def); err != nil {
			r.Close()
			return nil, fmt.Errorf("seed: list indexes: %w", err)
		}
		names, defs = append(names, name), append(defs, def)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("seed: list indexes: %w", err)
	}
	for _, name := range names {
		if _, err := tx.Exec(ctx, "DROP INDEX "+name); err != nil {
			return nil, fmt.Errorf("seed: drop index %s: %w", name, err)
		}
	}
	return defs, nil
}

// userGroup is one membership row.
type userGroup struct {
	bun.BaseModel `bun:"table:user_groups"`

	UserID  int64 `bun:"user_id"`
	GroupID int64 `bun:"group_id"`
}

// insertBatches inserts users and memberships 2,000 users per transaction.
func (s *seeder) insertBatches(ctx context.Context, db *bun.DB) (int, error) {
	const batch = 2000
	total := 0
	for from := 0; from < s.n; from += batch {
		to := min(from+batch, s.n)
		err := db.RunInTx(ctx, &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error {
			users := make([]User, 0, to-from)
			for i := from; i < to; i++ {
				users = append(users, s.user(i))
			}
			if _, err := tx.NewInsert().Model(&users).Returning("id").Exec(ctx); err != nil {
				return fmt.Errorf("seed users: %w", err)
			}
			var links []userGroup
			for _, u := range users {
				s.memberships(u.ID, func(uid, gid int64) { links = append(links, userGroup{UserID: uid, GroupID: gid}) })
			}
			if len(links) > 0 {
				if _, err := tx.NewInsert().Model(&links).Exec(ctx); err != nil {
					return fmt.Errorf("seed memberships: %w", err)
				}
			}
			total += len(links)
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func nextSeedNumber(ctx context.Context, db bun.IDB) (int, error) {
	var last string
	err := db.NewSelect().Model((*User)(nil)).Column("username_key").
		Where("username_key LIKE 'user%'").Where("email_key LIKE '%@example.test'").
		OrderExpr("length(username_key) DESC, username_key DESC").Limit(1).Scan(ctx, &last)
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
		g := &Group{Name: name, NameKey: GroupNameKey(name)}
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
