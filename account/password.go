package account

import (
	"context"

	"github.com/gatehouse/gatehouse/auth"
)

// ChangePassword sets a new password for a signed-in user after checking
// the current one (ErrWrongPassword), kills the user's reset links, tells
// them by mail and ends every other session (keep: the current one, which
// the caller then rotates).
func (s *Service) ChangePassword(ctx context.Context, u *auth.User, current, password, keep string, from Client) error {
	if err := s.CheckCurrentPassword(ctx, u, current, from); err != nil {
		return err
	}
	if err := s.setPassword(ctx, u, password, from); err != nil {
		return err
	}
	if _, err := s.sessions.EndAll(ctx, u.ID, keep); err != nil {
		return err
	}
	s.Record(ctx, from, "password_changed", u.ID, u.Username, "")
	s.log.Info("password changed", "user", u.Username, "user_id", u.ID, "ip", from.IP)
	return nil
}

// CheckCurrentPassword checks the current password typed into the
// password-change form (also when the form has other errors). Wrong ones
// count as failed sign-ins of the account and are recorded as
// password_change_failed: ErrWrongPassword, *RateLimitedError over the
// limit, ErrBusy when the server had no time to check.
func (s *Service) CheckCurrentPassword(ctx context.Context, u *auth.User, current string, from Client) error {
	return s.checkPassword(ctx, u, current, from, "password_change_failed")
}

// setPassword stores password for u, kills u's reset links, cancels a
// pending email change (its link dies with the old password) and queues
// the "password changed" mail, in one transaction. Sessions are the caller's.
func (s *Service) setPassword(ctx context.Context, u *auth.User, password string, from Client) error {
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	err = s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		if err := tx.Users().SetPasswordHash(ctx, u.ID, hash, now); err != nil {
			return err
		}
		if err := tx.Tokens().Revoke(ctx, u.ID, now, auth.TokenPasswordReset, auth.TokenEmailChange); err != nil {
			return err
		}
		return s.queueMail(ctx, tx, Mail{Kind: MailPasswordChanged, To: u.Email, Username: u.Username, At: now, IP: from.IP})
	})
	if err != nil {
		return err
	}
	s.wake()
	s.usersChanged(ctx, u.ID) // the pending email change it cancelled
	return nil
}
