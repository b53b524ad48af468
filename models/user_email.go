package models

import (
	"context"
	"fmt"
)

// ByEmailKey finds a user by the case-folded email.
func (s Users) ByEmailKey(ctx context.Context, key string) (*User, error) {
	u := new(User)
	if err := s.DB.NewSelect().Model(u).Where("email_key = ?", key).Limit(1).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load user by email: %w", notFound(err))
	}
	return u, nil
}

// MarkEmailVerified marks the user's address verified, provided it is still
// the address with this key. It reports whether a row changed.
func (s Users) MarkEmailVerified(ctx context.Context, id int64, emailKey string) (bool, error) {
	res, err := s.DB.NewUpdate().Model((*User)(nil)).Set("email_verified = TRUE").
		Where("id = ?", id).Where("email_key = ?", emailKey).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("verify email of user %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ChangeEmail replaces a user's address with a verified one. The unique
// index decides when another account took the address meanwhile
// (ErrEmailTaken).
func (s Users) ChangeEmail(ctx context.Context, id int64, email, emailKey string) error {
	res, err := s.DB.NewUpdate().Model((*User)(nil)).
		Set("email = ?", email).Set("email_key = ?", emailKey).Set("email_verified = TRUE").
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return conflictError(err, "change email of user %d", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("change email of user %d: %w", id, ErrNotFound)
	}
	return nil
}
