package account

import (
	"context"

	"github.com/gatehouse/gatehouse/auth"
)

// NewAccount is a sign-up, already validated by the form's rules.
type NewAccount struct {
	Username, Email, Password string
}

// Available reports whether a username or email (field "username" or
// "email") is free: nil, ErrUsernameTaken or ErrEmailTaken. The insert
// still decides between two sign-ups at once.
func (s *Service) Available(ctx context.Context, field, value string) error {
	switch field {
	case "username":
		taken, err := s.store.Users().UsernameTaken(ctx, auth.UsernameKey(value))
		if err != nil || !taken {
			return err
		}
		return ErrUsernameTaken
	case "email":
		taken, err := s.store.Users().EmailTaken(ctx, auth.EmailKey(value))
		if err != nil || !taken {
			return err
		}
		return ErrEmailTaken
	}
	return nil
}

// Register creates an account with its verification link and the mail that
// carries it, in one transaction: no account without its mail, no mail for
// an account that was not made. Sign-ups count against the per-address
// limit before the work, so parallel ones cannot all pass. It returns the
// signed-in user, or only the user when the address must be confirmed
// first (signed is nil then).
func (s *Service) Register(ctx context.Context, in NewAccount, from Client) (signed *Signed, u *auth.User, err error) {
	res, err := s.limiter.Signup(ctx, from.IP)
	if err != nil {
		return nil, nil, err
	}
	if blocked, wait := res.Blocked(); blocked {
		s.Record(ctx, from, "rate_limited", 0, in.Username, "signup")
		return nil, nil, &RateLimitedError{RetryAfter: wait}
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		_ = res.Release(ctx)
		return nil, nil, err
	}
	u = &auth.User{
		Username: in.Username, UsernameKey: auth.UsernameKey(in.Username),
		Email: in.Email, EmailKey: auth.EmailKey(in.Email),
		PasswordHash: hash, IsActive: true,
	}
	now := s.clock.Now().UTC()
	u.DateJoined, u.PasswordChangedAt = now, now
	err = s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		if err := tx.Users().Create(ctx, u); err != nil {
			return err
		}
		return s.queueVerification(ctx, tx, u)
	})
	if err != nil {
		if rerr := res.Release(ctx); rerr != nil {
			return nil, nil, rerr
		}
		return nil, nil, err
	}
	s.wake()
	s.Record(ctx, from, "signup", u.ID, u.Username, "")
	s.log.Info("signed up", "user", u.Username, "user_id", u.ID, "ip", from.IP)
	if s.verify {
		return nil, u, nil
	}
	signed, err = s.signedIn(ctx, u, from)
	if err != nil {
		return nil, u, err
	}
	return signed, u, nil
}
