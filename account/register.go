package account

import (
	"context"
	"errors"
	"strings"

	"github.com/gatehouse/gatehouse/auth"
)

// NewAccount is a sign-up, already validated by the form's rules.
type NewAccount struct {
	Username, Email, Password string
}

// PreventsEnumeration says whether sign-up and email change keep quiet
// about taken addresses (GATEHOUSE_PREVENT_ENUMERATION=on).
func (s *Service) PreventsEnumeration() bool { return s.private }

// Available reports whether a username or email (field "username" or
// "email") is free: nil, ErrUsernameTaken or ErrEmailTaken. A username
// that is another account's email is taken, and so is an email that is
// another account's username, so that a typed login names one account
// (CONTRACT §8). With PreventsEnumeration an email is always reported
// free: its owner learns of a sign-up by mail instead. The insert still
// decides between two sign-ups at once.
func (s *Service) Available(ctx context.Context, field, value string) error {
	switch field {
	case "username":
		return usernameFree(ctx, s.store, value, nil)
	case "email":
		if s.private {
			return nil
		}
		return emailFree(ctx, s.store, value, nil)
	}
	return nil
}

// usernameFree says whether u (nil: a new account) may have the username:
// ErrUsernameTaken when another account has it as its username (any case)
// or as its email address.
func usernameFree(ctx context.Context, st Store, username string, u *auth.User) error {
	key := auth.UsernameKey(username)
	if u == nil || key != u.UsernameKey {
		taken, err := st.Users().UsernameTaken(ctx, key)
		if err != nil {
			return err
		}
		if taken {
			return ErrUsernameTaken
		}
	}
	if ekey := auth.EmailKey(username); strings.Contains(username, "@") && (u == nil || ekey != u.EmailKey) {
		taken, err := st.Users().EmailTaken(ctx, ekey)
		if err != nil {
			return err
		}
		if taken {
			return ErrUsernameTaken
		}
	}
	return nil
}

// emailFree says whether u (nil: a new account) may have the address:
// ErrEmailTaken when another account has it as its address (any case) or
// as its username. Two accounts racing for one address (or one username)
// are decided by the unique index of that column. The cross-column check
// is a read in the writer's transaction, not an index: a sign-up taking
// "x@y.z" as its username at the very instant another takes it as its
// address could both pass on PostgreSQL (SQLite runs one writer at a
// time); that window is accepted rather than a lock on the users table.
func emailFree(ctx context.Context, st Store, email string, u *auth.User) error {
	key := auth.EmailKey(email)
	if u == nil || key != u.EmailKey {
		taken, err := st.Users().EmailTaken(ctx, key)
		if err != nil {
			return err
		}
		if taken {
			return ErrEmailTaken
		}
	}
	if ukey := auth.UsernameKey(email); u == nil || ukey != u.UsernameKey {
		taken, err := st.Users().UsernameTaken(ctx, ukey)
		if err != nil {
			return err
		}
		if taken {
			return ErrEmailTaken
		}
	}
	return nil
}

// Register creates an account with its verification link and the mail that
// carries it, in one transaction: no account without its mail, no mail for
// an account that was not made. Sign-ups count against the per-address
// limit before the work, so parallel ones cannot all pass. It returns the
// signed-in user, or only the user when the address must be confirmed
// first (signed is nil then).
//
// With PreventsEnumeration a sign-up never signs in (signed is nil: "check
// your inbox"), and one with a taken address creates nothing, returns a
// nil user and no error, and mails the address that someone tried to sign
// up with it: the two answers look alike and cost alike (one hash, one
// mail queued).
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
		if err := usernameFree(ctx, tx, in.Username, nil); err != nil {
			return err
		}
		if err := emailFree(ctx, tx, in.Email, nil); err != nil {
			return err
		}
		if err := tx.Users().Create(ctx, u); err != nil {
			return err
		}
		return s.queueVerification(ctx, tx, u)
	})
	if s.private && errors.Is(err, ErrEmailTaken) {
		// The sign-up counts as one; the answer is "check your inbox".
		return nil, nil, s.addressInUse(ctx, in.Email, "signup", from)
	}
	if err != nil {
		if rerr := res.Release(ctx); rerr != nil {
			return nil, nil, rerr
		}
		return nil, nil, err
	}
	s.wake()
	s.Record(ctx, from, "signup", u.ID, u.Username, "")
	s.log.Info("signed up", "user", u.Username, "user_id", u.ID, "ip", from.IP)
	if s.verify || s.private {
		return nil, u, nil
	}
	signed, err = s.signedIn(ctx, u, from)
	if err != nil {
		return nil, u, err
	}
	return signed, u, nil
}

// addressInUse mails email that someone tried to use it for a new account
// (what "signup") or as the new address of another one ("email_change"),
// instead of saying so to whoever tried; logged, not audited as a sign-up.
func (s *Service) addressInUse(ctx context.Context, email, what string, from Client) error {
	err := s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		return s.queueMail(ctx, tx, Mail{Kind: MailAddressInUse, To: email, Link: s.link("/login"),
			Change: what == "email_change", At: s.clock.Now(), IP: from.IP})
	})
	if err != nil {
		return err
	}
	s.wake()
	s.log.Info("address in use: owner told by mail", "attempt", what, "email", email, "ip", from.IP)
	return nil
}
