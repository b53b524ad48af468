package account

import (
	"context"
	"github.com/gatehouse/gatehouse/auth"
)

// RequestReset mails a reset link to the account using email. The caller's
// answer is the same whether or not one does, and both paths do the same
// work (a token made, a mail rendered, a transaction committed), so
// neither the page nor its timing tells who has an account. An unknown
// address gets a mail saying so, as django-allauth does. Requests count
// per client address and per address typed, known or not.
func (s *Service) RequestReset(ctx context.Context, email string, from Client) error {
	key := auth.EmailKey(email)
	res, err := s.limiter.Reset(ctx, from.IP, key)
	if err != nil {
		return err
	}
	if blocked, wait := res.Blocked(); blocked {
		s.Record(ctx, from, "rate_limited", 0, email, "password_reset")
		s.log.Warn("password reset refused: rate limit", "email", email, "ip", from.IP)
		return &RateLimitedError{RetryAfter: wait}
	}
	u, err := s.store.Users().ByEmailKey(ctx, key)
	if err != nil && !IsNotFound(err) {
		return err
	}
	var uid int64
	err = s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		if u == nil || !u.IsActive {
			// The same work as a real link: a token made, its statement run
			// (inserting nothing), a mail rendered and queued.
			_, selector, hash := auth.NewKeyedSplitToken(s.secret, "unused")
			now := s.clock.Now()
			err := tx.Tokens().CreateNothing(ctx, &auth.Token{Kind: auth.TokenPasswordReset, Selector: selector,
				VerifierHash: hash, Email: email, CreatedAt: now, ExpiresAt: now.Add(ResetTTL)})
			if err != nil || u != nil {
				return err // a deactivated account gets nothing
			}
			return s.queueMail(ctx, tx, Mail{Kind: MailPasswordResetUnknown, To: email, Link: s.link("/register")})
		}
		uid = u.ID
		return s.queueLink(ctx, tx, auth.TokenPasswordReset, u, u.Email, ResetTTL, "/password-reset/",
			Mail{Kind: MailPasswordReset, To: u.Email, Username: u.Username})
	})
	if err != nil {
		return err
	}
	s.wake()
	s.Record(ctx, from, "password_reset_requested", uid, email, "")
	s.log.Info("password reset requested", "email", email, "user_id", uid, "ip", from.IP)
	return nil
}

// OpenReset finds the user of a reset link without using it up (mail
// scanners fetch links): ErrLinkUnknown or ErrLinkDead when it cannot set
// a password.
func (s *Service) OpenReset(ctx context.Context, raw string) (*auth.User, error) {
	_, u, err := s.openLink(ctx, raw, auth.TokenPasswordReset)
	if err == nil && !u.IsActive {
		err = ErrLinkDead
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Reset sets a new password through a reset link. In one transaction: the
// link is used up (of two racing requests one wins), the password changes
// (which kills every other reset link, see tokenBinding, and cancels a
// pending email change), the address
// counts as verified (the link proved it), and the "password changed" mail
// is queued. Then every session of the user ends; the caller ends the
// request's own session if it is the user's.
func (s *Service) Reset(ctx context.Context, raw, password string, from Client) (*auth.User, error) {
	tok, u, err := s.openLink(ctx, raw, auth.TokenPasswordReset)
	if err == nil && !u.IsActive {
		err = ErrLinkDead
	}
	if err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	err = s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		if err := useToken(ctx, tx, tok, now); err != nil {
			return err
		}
		if err := tx.Users().SetPasswordHash(ctx, u.ID, hash, now); err != nil {
			return err
		}
		// A pending email change dies with the old password: whoever asked
		// for it may be the one the reset locks out.
		if err := tx.Tokens().Revoke(ctx, u.ID, now, auth.TokenPasswordReset, auth.TokenEmailChange); err != nil {
			return err
		}
		if auth.EmailKey(tok.Email) == u.EmailKey && !u.EmailVerified {
			if _, err := tx.Users().MarkEmailVerified(ctx, u.ID, u.EmailKey); err != nil {
				return err
			}
		}
		return s.queueMail(ctx, tx, Mail{Kind: MailPasswordChanged, To: u.Email, Username: u.Username, At: now, IP: from.IP})
	})
	if err != nil {
		return nil, err
	}
	s.wake()
	s.usersChanged(ctx, u.ID)
	n, err := s.sessions.EndAll(ctx, u.ID, "")
	if err != nil {
		return nil, err
	}
	s.Record(ctx, from, "password_reset", u.ID, u.Username, "")
	s.log.Info("password reset", "user", u.Username, "user_id", u.ID, "ip", from.IP, "sessions_ended", n)
	return u, nil
}
