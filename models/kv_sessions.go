package models

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/kv"
)

var _ kv.Sessions = (*KV)(nil)

// ReadSession reads a session and its user's cached principal with the
// versions that decide whether it is still true, in one statement: the
// session row names its user (uid), and the principal, the user version,
// the principal's groups and their epochs are rows of the store found by
// primary key from it.
func (s *KV) ReadSession(ctx context.Context, id string) (kv.SessionRead, error) {
	now := s.now().UnixMilli()
	rows, err := s.DB.QueryContext(ctx, `
SELECT s.v, s.uid, p.v, u.v, m.member, g.v
FROM kv_entries s
LEFT JOIN kv_entries p ON p.k = ? || CAST(s.uid AS TEXT) AND p.expires_at > ?
LEFT JOIN kv_entries u ON u.k = ? || CAST(s.uid AS TEXT) AND u.expires_at > ?
LEFT JOIN kv_sets m ON p.k IS NOT NULL AND m.k = ? || CAST(s.uid AS TEXT)
LEFT JOIN kv_entries g ON g.k = ? || m.member AND g.expires_at > ?
WHERE s.k = ? AND (s.expires_at = 0 OR s.expires_at > ?)`,
		kv.PrincipalPrefix, now, kv.UserVersionPrefix, now, kv.PrincipalGroupsPrefix, kv.GroupEpochPrefix, now,
		kv.SessionPrefix+id, now)
	if err != nil {
		return kv.SessionRead{}, fmt.Errorf("kv read session: %w", err)
	}
	defer rows.Close()
	var out kv.SessionRead
	var princ, uver []byte
	epochs := map[string]string{}
	found := false
	for rows.Next() {
		var data, p, u, ep []byte
		var uid sql.NullInt64
		var member sql.NullString
		if err := rows.Scan(&data, &uid, &p, &u, &member, &ep); err != nil {
			return kv.SessionRead{}, fmt.Errorf("kv read session: %w", err)
		}
		found = true
		out.Data, out.UserID, princ, uver = data, uid.Int64, p, u
		if member.Valid {
			epochs[member.String] = string(ep)
		}
	}
	if err := rows.Err(); err != nil {
		return kv.SessionRead{}, fmt.Errorf("kv read session: %w", err)
	}
	if !found || out.UserID == 0 {
		return kv.SessionRead{}, nil
	}
	if princ != nil {
		tag, payload, err := kv.DecodeEntry(princ)
		if err == nil && tag.User == string(uver) && groupsCurrent(tag.Groups, epochs) {
			out.Principal = payload
		}
	}
	return out, nil
}

// groupsCurrent reports whether every group a principal was built from
// still has the epoch it was tagged with; a group missing from the joined
// rows (its list was rewritten meanwhile) counts as changed.
func groupsCurrent(tagged, current map[string]string) bool {
	for g, ep := range tagged {
		cur, ok := current[g]
		if !ok || cur != ep {
			return false
		}
	}
	return true
}

// WriteSession stores a session row with its user, for ReadSession's join.
func (s *KV) WriteSession(ctx context.Context, id string, uid int64, data []byte, ttl time.Duration) error {
	_, err := s.exec(ctx, `INSERT INTO kv_entries (k, v, expires_at, uid) VALUES (?, ?, ?, ?)
ON CONFLICT (k) DO UPDATE SET v = excluded.v, expires_at = excluded.expires_at, uid = excluded.uid`,
		kv.SessionPrefix+id, data, s.expiry(ttl), uid)
	if err != nil {
		return fmt.Errorf("kv write session: %w", err)
	}
	return nil
}

// Versions reads the user's version and the groups' epochs ("" for none).
func (s *KV) Versions(ctx context.Context, uid int64, groups []int64) (kv.Tag, error) {
	keys := []string{kv.UserVersionPrefix + strconv.FormatInt(uid, 10)}
	for _, g := range groups {
		keys = append(keys, kv.GroupEpochPrefix+kv.GroupKey(g))
	}
	var rows []struct {
		K string `bun:"k"`
		V []byte `bun:"v"`
	}
	err := s.DB.NewRaw("SELECT k, v FROM kv_entries WHERE k IN (?) AND expires_at > ?", bun.In(keys), s.now().UnixMilli()).Scan(ctx, &rows)
	if err != nil {
		return kv.Tag{}, fmt.Errorf("kv versions: %w", err)
	}
	got := make(map[string]string, len(rows))
	for _, r := range rows {
		got[r.K] = string(r.V)
	}
	t := kv.Tag{User: got[keys[0]], Groups: make(map[string]string, len(groups))}
	for _, g := range groups {
		t.Groups[kv.GroupKey(g)] = got[kv.GroupEpochPrefix+kv.GroupKey(g)]
	}
	return t, nil
}

// FillPrincipal writes the principal and its group list in one
// transaction, the principal only while every version in tag is current
// (the condition is part of the INSERT, so a bump committed before it
// wins).
func (s *KV) FillPrincipal(ctx context.Context, uid int64, tag kv.Tag, payload []byte, ttl time.Duration) (bool, error) {
	val := kv.EncodeEntry(tag, payload)
	u := strconv.FormatInt(uid, 10)
	exp := s.expiry(ttl)
	now := s.now().UnixMilli()
	var cond strings.Builder
	args := []any{kv.PrincipalPrefix + u, val, exp}
	check := func(key, want string) {
		cond.WriteString(" AND ")
		if want == "" {
			cond.WriteString("NOT EXISTS (SELECT 1 FROM kv_entries WHERE k = ? AND expires_at > ?)")
			args = append(args, key, now)
			return
		}
		cond.WriteString("EXISTS (SELECT 1 FROM kv_entries WHERE k = ? AND expires_at > ? AND v = ?)")
		args = append(args, key, now, []byte(want))
	}
	check(kv.UserVersionPrefix+u, tag.User)
	members := make([]string, 0, len(tag.Groups))
	for g, ep := range tag.Groups {
		check(kv.GroupEpochPrefix+g, ep)
		members = append(members, g)
	}
	var written bool
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO kv_entries (k, v, expires_at) SELECT ?, ?, ? WHERE 1 = 1`+cond.String()+`
ON CONFLICT (k) DO UPDATE SET v = excluded.v, expires_at = excluded.expires_at`, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		written = true
		set := kv.PrincipalGroupsPrefix + u
		if _, err := tx.ExecContext(ctx, "DELETE FROM kv_sets WHERE k = ?", set); err != nil {
			return err
		}
		for _, m := range members {
			if _, err := tx.ExecContext(ctx, "INSERT INTO kv_sets (k, member, expires_at) VALUES (?, ?, ?)", set, m, exp); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("kv fill principal: %w", err)
	}
	return written, nil
}

// Bump gives users and groups new version tokens.
func (s *KV) Bump(ctx context.Context, users, groups []int64, ttl time.Duration) error {
	keys := make([]string, 0, len(users)+len(groups))
	for _, u := range users {
		keys = append(keys, kv.UserVersionPrefix+strconv.FormatInt(u, 10))
	}
	for _, g := range groups {
		keys = append(keys, kv.GroupEpochPrefix+kv.GroupKey(g))
	}
	exp := s.expiry(ttl)
	for len(keys) > 0 {
		n := min(len(keys), 300)
		var q strings.Builder
		q.WriteString("INSERT INTO kv_entries (k, v, expires_at) VALUES ")
		args := make([]any, 0, 3*n)
		for i, k := range keys[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?)")
			args = append(args, k, []byte(kv.NewVersion()), exp)
		}
		q.WriteString(" ON CONFLICT (k) DO UPDATE SET v = excluded.v, expires_at = excluded.expires_at")
		if _, err := s.exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("kv bump versions: %w", err)
		}
		keys = keys[n:]
	}
	return nil
}
