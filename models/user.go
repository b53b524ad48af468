package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
)

// User is an account (the domain type, stored in the users table).
type User = auth.User

// ErrUsernameTaken and ErrEmailTaken tell which unique index refused a user.
var (
	ErrUsernameTaken = account.ErrUsernameTaken
	ErrEmailTaken    = account.ErrEmailTaken
)

// Users is the users table.
type Users struct{ DB bun.IDB }

// Create inserts u. The unique indexes decide between two sign-ups of one
// name at the same moment, so there is no check-then-insert race.
func (s Users) Create(ctx context.Context, u *User) error {
	now := time.Now().UTC()
	if u.DateJoined.IsZero() {
		u.DateJoined = now
	}
	if u.PasswordChangedAt.IsZero() {
		u.PasswordChangedAt = now
	}
	_, err := s.DB.NewInsert().Model(u).Returning("id").Exec(ctx)
	if err != nil {
		return conflictError(err, "create user %q", u.Username)
	}
	return nil
}

func conflictError(err error, format string, args ...any) error {
	if isUniqueViolation(err) {
		switch c := uniqueConstraint(err); {
		case strings.Contains(c, "username_key"):
			return ErrUsernameTaken
		case strings.Contains(c, "email_key"):
			return ErrEmailTaken
		}
		return fmt.Errorf(format+": %w", append(args, ErrConflict)...)
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// ByID loads one user.
func (s Users) ByID(ctx context.Context, id int64) (*User, error) {
	u := new(User)
	if err := s.DB.NewSelect().Model(u).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load user %d: %w", id, notFound(err))
	}
	return u, nil
}

// ByLogin finds a user by username key or email key (the caller folds case).
func (s Users) ByLogin(ctx context.Context, usernameKey, emailKey string) (*User, error) {
	u := new(User)
	err := s.DB.NewSelect().Model(u).
		Where("username_key = ?", usernameKey).
		WhereOr("email_key = ?", emailKey).
		OrderExpr("id").Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load user by login: %w", notFound(err))
	}
	return u, nil
}

// UsernameTaken and EmailTaken answer inline validation; the insert still decides.
func (s Users) UsernameTaken(ctx context.Context, key string) (bool, error) {
	return s.DB.NewSelect().Model((*User)(nil)).Where("username_key = ?", key).Exists(ctx)
}

func (s Users) EmailTaken(ctx context.Context, key string) (bool, error) {
	return s.DB.NewSelect().Model((*User)(nil)).Where("email_key = ?", key).Exists(ctx)
}

// TouchLogin records a successful sign-in.
func (s Users) TouchLogin(ctx context.Context, id int64, at time.Time) error {
	_, err := s.DB.NewUpdate().Model((*User)(nil)).Set("last_login = ?", at.UTC()).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("touch login of user %d: %w", id, err)
	}
	return nil
}

// SetPasswordHash stores a new hash; a non-zero changedAt marks a real
// password change (which invalidates reset links) rather than a re-hash
// with new parameters.
func (s Users) SetPasswordHash(ctx context.Context, id int64, hash string, changedAt time.Time) error {
	q := s.DB.NewUpdate().Model((*User)(nil)).Set("password_hash = ?", hash).Where("id = ?", id)
	if !changedAt.IsZero() {
		q = q.Set("password_changed_at = ?", changedAt.UTC())
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set password of user %d: %w", id, ErrNotFound)
	}
	return nil
}

// Count returns the number of users (for tests and small tables only).
func (s Users) Count(ctx context.Context) (int64, error) {
	return s.DB.NewSelect().Model((*User)(nil)).Count(ctx)
}

// IsNotFound reports whether err means a missing row.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
