package account

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// Credentials are what a visitor types to sign in: a username or an email
// address, and a password.
type Credentials struct {
	Login    string
	Password string
}

// SignInResult is a sign-in whose password was right.
type SignInResult struct {
	Signed
	// SecondFactor says a second step is still needed before a session may
	// start; the caller then starts none. (No account has one yet.)
	SecondFactor bool
}

// SignIn checks credentials. Unknown users, wrong passwords and inactive
// accounts all get ErrInvalidCredentials after the same hashing work. The
// attempt counts as a failure before the password is checked and is taken
// back when it was right, so parallel guesses cannot all slip through. A
// correct sign-in of an unconfirmed address, when confirmation is
// mandatory, is *UnverifiedError. On success the caller starts the session.
func (s *Service) SignIn(ctx context.Context, cr Credentials, from Client) (_ *SignInResult, err error) {
	if s.onSignIn != nil {
		defer func() { s.onSignIn(signInResult(err)) }()
	}
	keys := auth.NormalizeLogin(cr.Login)
	u, err := s.store.Users().ByLogin(ctx, keys.Username, keys.Email)
	if err != nil && !IsNotFound(err) {
		return nil, err
	}
	var uid int64
	if u != nil {
		uid = u.ID
	}
	res, err := s.limiter.Login(ctx, from.IP, keys.Name, uid)
	if err != nil {
		return nil, err
	}
	if blocked, wait := res.Blocked(); blocked {
		return nil, &RateLimitedError{RetryAfter: wait}
	}

	ok, rehash := false, false
	if u != nil {
		ok, rehash, err = s.hasher.Verify(ctx, u.PasswordHash, cr.Password)
	} else {
		s.hasher.VerifyDummy(ctx, cr.Password)
	}
	if busy(ctx, err) {
		// Too busy to check: nothing is counted, known user or not.
		return nil, s.releaseBusy(ctx, res, from, uid)
	}
	if err != nil {
		s.log.Error("stored hash unreadable", "user_id", u.ID, "err", err)
		ok = false
	}
	if !ok || !u.IsActive {
		if err := res.Failed(ctx); err != nil {
			return nil, err
		}
		login := s.loggedLogin(cr.Login, u)
		s.Record(ctx, from, "login_failed", uid, login, "")
		s.log.Info("sign-in failed", "login", login, "ip", from.IP, "user_id", uid)
		s.recordTripped(ctx, from, uid, login, res)
		return nil, ErrInvalidCredentials
	}
	if err := s.release(ctx, res); err != nil {
		return nil, err
	}
	if s.verify && !u.EmailVerified {
		s.Record(ctx, from, "login_unverified", u.ID, u.Username, "")
		return nil, &UnverifiedError{User: u}
	}
	if rehash {
		s.rehash(ctx, u, cr.Password)
	}
	signed, err := s.signedIn(ctx, u, from)
	if err != nil {
		return nil, err
	}
	return &SignInResult{Signed: *signed}, nil
}

// recordTripped writes an event for each limit an attempt brought to its maximum.
func (s *Service) recordTripped(ctx context.Context, from Client, uid int64, login string, res Reservation) {
	for _, key := range res.Tripped() {
		s.Record(ctx, from, "rate_limited", uid, login, key)
		s.log.Warn("rate limit reached", "key", key, "ip", from.IP)
	}
}

// rehash stores the password under the current hashing parameters; a
// failure leaves the old, still valid hash.
func (s *Service) rehash(ctx context.Context, u *auth.User, password string) {
	h, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return
	}
	if err := s.store.Users().SetPasswordHash(ctx, u.ID, h, time.Time{}); err != nil {
		s.log.Warn("rehash failed", "user_id", u.ID, "err", err)
	}
}

// signedIn records a completed sign-in of u and loads what u may do.
func (s *Service) signedIn(ctx context.Context, u *auth.User, from Client) (*Signed, error) {
	now := s.clock.Now()
	if err := s.store.Users().TouchLogin(ctx, u.ID, now); err != nil {
		return nil, err
	}
	u.LastLogin = &now
	// The user's other sessions show the new last sign-in too.
	s.usersChanged(ctx, u.ID)
	signed, err := s.principalOf(ctx, s.store, u)
	if err != nil {
		return nil, err
	}
	s.Record(ctx, from, "login", u.ID, u.Username, "")
	s.log.Info("signed in", "user", u.Username, "user_id", u.ID, "ip", from.IP)
	return signed, nil
}

// SignedOut records that u signed out (the caller ended the session).
func (s *Service) SignedOut(ctx context.Context, u *auth.User, from Client) {
	s.Record(ctx, from, "logout", u.ID, u.Username, "")
	s.log.Info("signed out", "user", u.Username, "user_id", u.ID, "ip", from.IP)
}

// Reauthenticate checks the password of a signed-in user before a
// sensitive change. Wrong passwords count as failed sign-ins of the
// account, so a stolen session cannot be used to guess the password.
func (s *Service) Reauthenticate(ctx context.Context, u *auth.User, password string, from Client) error {
	if err := s.checkPassword(ctx, u, password, from, "reauth_failed"); err != nil {
		return err
	}
	s.Record(ctx, from, "reauthenticated", u.ID, u.Username, "")
	return nil
}

// checkPassword checks the password of a signed-in user against the
// account's limit: a wrong one counts as a failed sign-in of the account
// and is recorded as failEvent (ErrWrongPassword), one over the limit is
// *RateLimitedError without a check, a check the server was too busy to
// make is ErrBusy and counts nothing.
func (s *Service) checkPassword(ctx context.Context, u *auth.User, password string, from Client, failEvent string) error {
	res, err := s.limiter.Account(ctx, u.ID)
	if err != nil {
		return err
	}
	if blocked, wait := res.Blocked(); blocked {
		return &RateLimitedError{RetryAfter: wait}
	}
	// The signed-in user comes from the principal cache, which keeps no
	// password hash: the check reads the current one.
	fresh, err := s.store.Users().ByID(ctx, u.ID)
	if err != nil {
		_ = res.Release(ctx)
		return err
	}
	ok, _, err := s.hasher.Verify(ctx, fresh.PasswordHash, password)
	if busy(ctx, err) {
		return s.releaseBusy(ctx, res, from, u.ID)
	}
	if err == nil && ok {
		return res.Release(ctx)
	}
	if err := res.Failed(ctx); err != nil {
		return err
	}
	s.Record(ctx, from, failEvent, u.ID, u.Username, "")
	s.log.Info("password check failed", "event", failEvent, "user", u.Username, "user_id", u.ID, "ip", from.IP)
	s.recordTripped(ctx, from, u.ID, u.Username, res)
	return ErrWrongPassword
}

// loggedLogin is how a failed sign-in's typed login is recorded: as typed
// when it names an account; otherwise it may be a password typed into the
// wrong field, so only a keyed digest is kept ("unknown:…"), the same for
// the same text, so repeated attempts still show as one name.
func (s *Service) loggedLogin(typed string, u *auth.User) string {
	if u != nil {
		return typed
	}
	return "unknown:" + auth.Handle(s.secret, "typed-login", typed)[:12]
}
