package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/auth"
)

// Token kinds.
const (
	TokenVerifyEmail   = auth.TokenVerifyEmail
	TokenEmailChange   = auth.TokenEmailChange
	TokenPasswordReset = auth.TokenPasswordReset
)

// Token is a mailed link's server half (stored in the tokens table).
type Token = auth.Token

// Tokens is the tokens table.
type Tokens struct{ DB bun.IDB }

// Create stores a token.
func (s Tokens) Create(ctx context.Context, t *Token) error {
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	if _, err := s.DB.NewInsert().Model(t).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("create %s token for user %d: %w", t.Kind, t.UserID, err)
	}
	return nil
}

// BySelector finds a token of one of kinds by its selector.
func (s Tokens) BySelector(ctx context.Context, selector string, kinds ...string) (*Token, error) {
	t := new(Token)
	err := s.DB.NewSelect().Model(t).Where("selector = ?", selector).Where("kind IN (?)", bun.In(kinds)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load token: %w", notFound(err))
	}
	return t, nil
}

// Use marks a token used at at. It reports false when the token was
// already used: of two requests racing with one link, one wins.
func (s Tokens) Use(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := s.DB.NewUpdate().Model((*Token)(nil)).Set("used_at = ?", at.UTC()).
		Where("id = ?", id).Where("used_at IS NULL").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("use token %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Revoke marks every unused token of these kinds of a user used, e.g. the
// other reset links once one of them has set a password.
func (s Tokens) Revoke(ctx context.Context, userID int64, at time.Time, kinds ...string) error {
	_, err := s.DB.NewUpdate().Model((*Token)(nil)).Set("used_at = ?", at.UTC()).
		Where("user_id = ?", userID).Where("kind IN (?)", bun.In(kinds)).Where("used_at IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke tokens of user %d: %w", userID, err)
	}
	return nil
}

// LastCreated returns when the newest token of these kinds was made for a
// user (zero if none), for the "one mail per few minutes" rule.
func (s Tokens) LastCreated(ctx context.Context, userID int64, kinds ...string) (time.Time, error) {
	var t Token
	err := s.DB.NewSelect().Model(&t).Column("created_at").
		Where("user_id = ?", userID).Where("kind IN (?)", bun.In(kinds)).
		OrderExpr("created_at DESC").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("last token of user %d: %w", userID, err)
	}
	return t.CreatedAt, nil
}

// Pending returns the newest live token of a kind for a user, or nil.
func (s Tokens) Pending(ctx context.Context, userID int64, kind string, now time.Time) (*Token, error) {
	t := new(Token)
	err := s.DB.NewSelect().Model(t).
		Where("user_id = ?", userID).Where("kind = ?", kind).
		Where("used_at IS NULL").Where("expires_at > ?", now.UTC()).
		OrderExpr("created_at DESC").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pending %s of user %d: %w", kind, userID, err)
	}
	return t, nil
}

// DeleteExpired removes tokens that expired before before.
func (s Tokens) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.DB.NewDelete().Model((*Token)(nil)).Where("expires_at < ?", before.UTC()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete expired tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// CreateNothing runs the statement Create runs, inserting no row: the
// unknown-address path of a reset request does the same database work as
// the known one, so its timing does not tell them apart.
func (s Tokens) CreateNothing(ctx context.Context, t *Token) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO tokens (kind, selector, verifier_hash, user_id, email, created_at, expires_at)
SELECT ?, ?, ?, ?, ?, ?, ? WHERE 1 = 0`, t.Kind, t.Selector, t.VerifierHash, t.UserID, t.Email, t.CreatedAt.UTC(), t.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("rehearse token: %w", err)
	}
	return nil
}
