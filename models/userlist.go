package models

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/account"
)

// The user list pages with keyset cursors, never OFFSET, and never counts
// the whole table: every page, however deep, is one index range scan of at
// most PageSize+1 rows (plus one query for the page's groups).

// Sorts of the user list. Each is a key expression with the id as
// tie-breaker, and each has an index on (key, id) (see schema.go).
const (
	SortUsername  = "username"
	SortEmail     = "email"
	SortJoined    = "joined"
	SortLastLogin = "last_login"
)

// UserSorts lists the sorts in the order the list's columns show them.
var UserSorts = []string{SortUsername, SortEmail, SortJoined, SortLastLogin}

// neverSignedIn stands in for a NULL last_login in the sort, so users who
// never signed in sort first (ascending) and keyset comparisons stay total.
// The same literal is in the index users_last_login_sort: keep them equal.
var neverSignedIn = time.Unix(0, 0).UTC()

const lastLoginKey = "COALESCE(u.last_login, '1970-01-01 00:00:00+00:00')"

func sortExpr(sort string) string {
	switch sort {
	case SortEmail:
		return "u.email_key"
	case SortJoined:
		return "u.date_joined"
	case SortLastLogin:
		return lastLoginKey
	}
	return "u.username_key"
}

// ValidUserSort reports whether name (without a leading '-') is a sort.
func ValidUserSort(name string) bool { return slices.Contains(UserSorts, name) }

// The user list's parameters and pages are the application's.
type (
	UserListParams = account.UserListParams
	UserRow        = account.UserRow
	UserPage       = account.UserPage
)

// ErrBadCursor is returned for a cursor that was not made by this list
// with the same sort (tampered with, truncated, or from another sort).
var ErrBadCursor = account.ErrBadCursor

type cursor struct {
	str  string
	at   time.Time
	id   int64
	time bool
}

func (c cursor) value() any {
	if c.time {
		return c.at
	}
	return c.str
}

// encodeCursor makes the opaque cursor of row u under sort: the sort's
// name, the key's value and the id, in URL-safe base64.
func encodeCursor(sort string, u *User) string {
	var v string
	switch sort {
	case SortEmail:
		v = u.EmailKey
	case SortJoined:
		v = strconv.FormatInt(u.DateJoined.UnixMicro(), 10)
	case SortLastLogin:
		at := neverSignedIn
		if u.LastLogin != nil {
			at = *u.LastLogin
		}
		v = strconv.FormatInt(at.UnixMicro(), 10)
	default:
		v = u.UsernameKey
	}
	raw := sort + "|" + v + "|" + strconv.FormatInt(u.ID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// The range of times a cursor may carry.
var (
	minCursorMicros = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxCursorMicros = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
)

func decodeCursor(sort, s string) (cursor, error) {
	if len(s) > 2048 {
		return cursor{}, ErrBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, ErrBadCursor
	}
	raw := string(b)
	name, rest, ok := strings.Cut(raw, "|")
	i := strings.LastIndexByte(rest, '|')
	if !ok || i < 0 || name != sort {
		return cursor{}, ErrBadCursor
	}
	v, idText := rest[:i], rest[i+1:]
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return cursor{}, ErrBadCursor
	}
	c := cursor{id: id}
	switch sort {
	case SortJoined, SortLastLogin:
		us, err := strconv.ParseInt(v, 10, 64)
		// Only times both databases can hold (PostgreSQL refuses years past
		// 294276 with an error, not an empty page): years 1 to 9999.
		if err != nil || us < minCursorMicros || us > maxCursorMicros {
			return cursor{}, ErrBadCursor
		}
		c.time, c.at = true, time.UnixMicro(us).UTC()
	default:
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return cursor{}, ErrBadCursor
		}
		c.str = v
	}
	return c, nil
}

// escapeLike quotes LIKE's wildcards so q matches literally (ESCAPE '\').
func escapeLike(q string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
}

// SearchKey folds a search the way username_key and email_key are folded,
// so the substring search can use their trigram indexes.
func SearchKey(q string) string { return strings.ToLower(strings.TrimSpace(q)) }

// List returns one page of the user list. On PostgreSQL the substring
// search uses the trigram indexes on username_key and email_key, and each
// sort walks its (key, id) index from the cursor.
func (s Users) List(ctx context.Context, p UserListParams) (UserPage, error) {
	if p.PageSize < 1 {
		return UserPage{}, fmt.Errorf("user list: page size %d", p.PageSize)
	}
	if !ValidUserSort(p.Sort) {
		return UserPage{}, fmt.Errorf("user list: unknown sort %q", p.Sort)
	}
	sql, args, ok, err := s.listQuery(ctx, p)
	if err != nil || !ok {
		return UserPage{}, err
	}
	var users []User
	if err := s.DB.NewRaw(sql, args...).Scan(ctx, &users); err != nil {
		return UserPage{}, fmt.Errorf("user list: %w", err)
	}
	n := p.PageSize
	more := len(users) > n
	if more {
		users = users[:n]
	}
	var page UserPage
	if p.Before != "" {
		if !more {
			// Back at the start: show a whole first page, not the few rows
			// that were left before the cursor.
			first := p
			first.Before = ""
			return s.List(ctx, first)
		}
		slices.Reverse(users)
		page.Prev = encodeCursor(p.Sort, &users[0])
		page.Next = encodeCursor(p.Sort, &users[len(users)-1])
	} else {
		if more {
			page.Next = encodeCursor(p.Sort, &users[len(users)-1])
		}
		if p.After != "" && len(users) > 0 {
			page.Prev = encodeCursor(p.Sort, &users[0])
		}
	}
	groups, err := s.groupsOf(ctx, users)
	if err != nil {
		return UserPage{}, err
	}
	page.Rows = make([]UserRow, len(users))
	for i, u := range users {
		page.Rows[i] = UserRow{User: u, Groups: groups[u.ID]}
	}
	return page, nil
}

// listQuery builds the page's query; ok is false when it cannot match
// anything (an unknown group).
func (s Users) listQuery(ctx context.Context, p UserListParams) (string, []any, bool, error) {
	var (
		where []string
		args  []any
	)
	if q := SearchKey(p.Q); q != "" {
		pattern := "%" + escapeLike(q) + "%"
		arms := make([]string, 0, 2)
		for _, col := range []string{"username_key", "email_key"} {
			arm := "u." + col + ` LIKE ? ESCAPE '\'`
			args = append(args, pattern)
			hint, err := s.indexHint(ctx, col, q)
			if err != nil {
				return "", nil, false, err
			}
			if hint != q {
				// The index looks for the rare part; the whole search is
				// checked on the rows it finds (|| '' hides it from the index).
				arm = "(u." + col + ` LIKE ? ESCAPE '\' AND (u.` + col + ` || '') LIKE ? ESCAPE '\')`
				args = append(args[:len(args)-1], "%"+escapeLike(hint)+"%", pattern)
			}
			arms = append(arms, arm)
		}
		where = append(where, "("+strings.Join(arms, " OR ")+")")
	}
	for _, f := range []struct {
		col string
		v   *bool
	}{{"u.is_active", p.Active}, {"u.is_staff", p.Staff}, {"u.is_superuser", p.Superuser}} {
		switch {
		case f.v == nil:
		case *f.v:
			where = append(where, f.col)
		default:
			where = append(where, "NOT "+f.col)
		}
	}
	if p.Group != "" {
		// Resolved first, so the planner sees a constant group id and its
		// statistics: a small group starts from user_groups, a large one
		// from the sort's index.
		g, err := Groups{DB: s.DB}.ByName(ctx, p.Group)
		if IsNotFound(err) {
			return "", nil, false, nil
		}
		if err != nil {
			return "", nil, false, err
		}
		where = append(where, "EXISTS (SELECT 1 FROM user_groups AS ug WHERE ug.user_id = u.id AND ug.group_id = ?)")
		args = append(args, g.ID)
	}

	key := sortExpr(p.Sort)
	backward := p.Before != ""
	// Scanning backwards from a "before" cursor reads the index the other
	// way; the page is put back in order afterwards.
	desc := p.Desc != backward
	if c := p.After + p.Before; c != "" {
		if p.After != "" && p.Before != "" {
			return "", nil, false, ErrBadCursor
		}
		cur, err := decodeCursor(p.Sort, c)
		if err != nil {
			return "", nil, false, err
		}
		op := ">"
		if desc {
			op = "<"
		}
		where = append(where, "("+key+", u.id) "+op+" (?, ?)")
		args = append(args, cur.value(), cur.id)
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	sql := "SELECT u.* FROM users AS u"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY " + key + " " + dir + ", u.id " + dir + " LIMIT ?"
	args = append(args, p.PageSize+1)
	return sql, args, true, nil
}

// ExplainList returns PostgreSQL's EXPLAIN ANALYZE of the page's query, for
// benchmarks and diagnosis.
func (s Users) ExplainList(ctx context.Context, p UserListParams) (string, error) {
	sql, args, ok, err := s.listQuery(ctx, p)
	if err != nil || !ok {
		return "", err
	}
	var lines []string
	if err := s.DB.NewRaw("EXPLAIN (ANALYZE, BUFFERS) "+sql, args...).Scan(ctx, &lines); err != nil {
		return "", fmt.Errorf("explain user list: %w", err)
	}
	return s.DB.NewRaw(sql, args...).String() + "\n\n" + strings.Join(lines, "\n"), nil
}

// groupsOf loads the group names of the given users in one query.
func (s Users) groupsOf(ctx context.Context, users []User) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(users) == 0 {
		return out, nil
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	var rows []struct {
		UserID int64  `bun:"user_id"`
		Name   string `bun:"name"`
	}
	err := s.DB.NewRaw(`SELECT ug.user_id, g.name FROM user_groups AS ug JOIN groups AS g ON g.id = ug.group_id
WHERE ug.user_id IN (?) ORDER BY g.name_key, g.id`, bun.In(ids)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("groups of listed users: %w", err)
	}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], r.Name)
	}
	return out, nil
}

// UserCount is how many users the list says there are.
type UserCount = account.UserCount

// countCap bounds the rows an exact count may read.
const countCap = 10000

// CountAll says how many users there are without reading a large table:
// PostgreSQL's own estimate once it is past countCap, else an exact count
// that stops reading at countCap.
func (s Users) CountAll(ctx context.Context) (UserCount, error) {
	if IsPostgres(s.DB) {
		var est float64
		err := s.DB.NewRaw("SELECT reltuples FROM pg_class WHERE oid = to_regclass('users')").Scan(ctx, &est)
		if err != nil {
			return UserCount{}, fmt.Errorf("estimate users: %w", err)
		}
		if est >= countCap {
			return UserCount{N: int64(est), Approx: true}, nil
		}
	}
	var n int64
	err := s.DB.NewRaw("SELECT count(*) FROM (SELECT 1 FROM users LIMIT ?) AS capped", countCap+1).Scan(ctx, &n)
	if err != nil {
		return UserCount{}, fmt.Errorf("count users: %w", err)
	}
	if n > countCap {
		return UserCount{N: countCap, AtLeast: true}, nil
	}
	return UserCount{N: n}, nil
}

// A trigram index answers LIKE '%q%' by intersecting the row lists of
// every trigram of q, and a trigram found in most rows ("use" of "user…",
// "com" of ".com") makes that slow however rare q is: on a million seeded
// users, q=user0123 took 14 ms this way against 0.9 ms for its rare part
// "r0123". So on PostgreSQL the index is given the longest run of q whose
// trigrams are rare in a sample of the column (the planner's own histogram
// in pg_stats), and the rows it finds are checked against the whole of q:
// the same rows, found faster.

// commonShare is the share of sampled values above which a trigram is common.
const commonShare = 5 // one in five

// sampleTTL is how long a column sample is used before it is read again.
const sampleTTL = 10 * time.Minute

type columnSample struct {
	at   time.Time
	vals map[string][]string
}

var samples = struct {
	sync.Mutex
	byDB map[*bun.DB]columnSample
}{byDB: map[*bun.DB]columnSample{}}

// indexHint returns the part of q that the trigram index of col should
// look for: q itself, unless q has common trigrams and a run of rare ones.
func (s Users) indexHint(ctx context.Context, col, q string) (string, error) {
	if !IsPostgres(s.DB) || utf8.RuneCountInString(q) < 4 {
		return q, nil
	}
	sample, err := s.columnSample(ctx)
	if err != nil {
		return "", err
	}
	return rarePart(q, sample[col]), nil
}

func (s Users) columnSample(ctx context.Context) (map[string][]string, error) {
	db, cacheable := s.DB.(*bun.DB)
	if cacheable {
		samples.Lock()
		c, ok := samples.byDB[db]
		samples.Unlock()
		if ok && time.Since(c.at) < sampleTTL {
			return c.vals, nil
		}
	}
	var rows []struct {
		Col string `bun:"attname"`
		Val string `bun:"v"`
	}
	err := s.DB.NewRaw(`SELECT s.attname, v FROM pg_stats AS s, unnest(s.histogram_bounds::text::text[]) AS v
WHERE s.schemaname = current_schema() AND s.tablename = 'users' AND s.attname IN ('username_key', 'email_key')`).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("sample of user keys: %w", err)
	}
	vals := map[string][]string{}
	for _, r := range rows {
		vals[r.Col] = append(vals[r.Col], r.Val)
	}
	if cacheable {
		samples.Lock()
		samples.byDB[db] = columnSample{at: time.Now(), vals: vals}
		samples.Unlock()
	}
	return vals, nil
}

// rarePart returns the longest substring of q whose trigrams are each in
// at most one sampled value in commonShare; q itself when all of its
// trigrams are rare, when all are common, or when the sample is too small
// to tell. Any substring of q finds every row that q finds.
func rarePart(q string, sample []string) string {
	r := []rune(q)
	n := len(r) - 2 // trigrams
	if n < 1 || len(sample) < 20 {
		return q
	}
	common := make([]bool, n)
	anyCommon := false
	for i := range n {
		tri := string(r[i : i+3])
		hits := 0
		for _, v := range sample {
			if strings.Contains(v, tri) {
				hits++
			}
		}
		common[i] = hits*commonShare > len(sample)
		anyCommon = anyCommon || common[i]
	}
	if !anyCommon {
		return q
	}
	best, bestLen := -1, 0
	for i := 0; i < n; {
		if common[i] {
			i++
			continue
		}
		j := i
		for j < n && !common[j] {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = j
	}
	if best < 0 {
		return q
	}
	return string(r[best : best+bestLen+2])
}
