// Package models holds Gatehouse's tables, its queries and its migrations,
// written once for PostgreSQL (production) and SQLite (the embedded default).
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/gatehouse/gatehouse/account"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite" // registers the "sqlite" driver (pure Go)
	sqlite3 "modernc.org/sqlite/lib"
)

// Open connects to the database named by url: sqlite://path or postgres://…
func Open(ctx context.Context, url string) (*bun.DB, error) {
	var db *bun.DB
	switch {
	case strings.HasPrefix(url, "sqlite://"):
		path := strings.TrimPrefix(url, "sqlite://")
		file, onDisk := SQLiteFile(url)
		if onDisk {
			// The database holds password hashes and sessions: only its
			// owner reads it, whatever the umask. SQLite gives the -wal and
			// -shm files the database file's mode; all three are set again
			// once open.
			if err := createPrivate(file); err != nil {
				return nil, fmt.Errorf("open sqlite %s: %w", file, err)
			}
		}
		// WAL lets readers run beside the one writer; the busy timeout makes
		// writers queue instead of failing; immediate transactions avoid the
		// deadlock of two readers both upgrading to writers.
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		dsn := "file:" + path + sep + "_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		sqldb, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		sqldb.SetMaxOpenConns(4)
		sqldb.SetMaxIdleConns(4)
		sqldb.SetConnMaxIdleTime(0)
		db = bun.NewDB(sqldb, sqlitedialect.New())
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// Bun writes every argument into the statement text, so nearly
		// every statement is new to the server: pgx's default (prepare
		// and cache each one) would cost a second round trip per query
		// and churn its cache. The simple protocol sends it in one.
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		sqldb := stdlib.OpenDB(*cfg)
		// As many idle connections as open ones: under load a pool that
		// closes and reopens connections pays PostgreSQL's fork per request.
		sqldb.SetMaxOpenConns(20)
		sqldb.SetMaxIdleConns(20)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db = bun.NewDB(sqldb, pgdialect.New())
	default:
		return nil, fmt.Errorf("unknown database URL scheme in %q", url)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if file, onDisk := SQLiteFile(url); onDisk {
		if err := privateFiles(file); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// SQLiteFile returns the file of a sqlite:// database URL; onDisk is false
// for other URLs and for in-memory databases.
func SQLiteFile(url string) (file string, onDisk bool) {
	path, ok := strings.CutPrefix(url, "sqlite://")
	if !ok {
		return "", false
	}
	path, _, _ = strings.Cut(path, "?")
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return "", false
	}
	return path, true
}

// createPrivate creates file with mode 0600 unless it exists, and takes
// the group's and others' rights from an existing one.
func createPrivate(file string) error {
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Chmod(0o600)
}

// privateFiles sets mode 0600 on the database and its -wal and -shm files
// (those that exist), once SQLite has opened them.
func privateFiles(file string) error {
	for _, name := range []string{file, file + "-wal", file + "-shm"} {
		if err := os.Chmod(name, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sqlite %s: %w", name, err)
		}
	}
	return nil
}

// IsPostgres reports whether db speaks PostgreSQL.
func IsPostgres(db bun.IDB) bool { return db.Dialect().Name() == dialect.PG }

// ErrNotFound is returned by lookups that match no row.
var ErrNotFound = account.ErrNotFound

// ErrConflict is returned when a unique index refuses a row.
var ErrConflict = account.ErrConflict

// isUniqueViolation recognises both databases' unique-constraint errors.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// uniqueConstraint returns the name of the index or column a unique violation hit.
func uniqueConstraint(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName
	}
	return err.Error() // SQLite names the column: "UNIQUE constraint failed: users.username_key"
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
