package account

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// Refusals of address changes.
var (
	// ErrSameEmail: the new address is the account's own.
	ErrSameEmail = errors.New("this is already the account's address")
	// ErrAlreadyVerified: the address needs no confirmation.
	ErrAlreadyVerified = errors.New("the address is already confirmed")
)

// Confirmed is what a verification link did.
type Confirmed struct {
	UserID  int64
	Email   string // the address confirmed
	Changed bool   // an email change: the account moved to Email
	// Already: the link's address was confirmed before (a second POST, or
	// a link used earlier); nothing was done.
	Already bool
}

// Verification is what a verification link would confirm, as its page
// shows it before anything is done.
type Verification struct {
	UserID int64
	Email  string // the address the link confirms
	Change bool   // an email change: the account would move to Email
	// Already: the address is the account's and already confirmed.
	Already bool
}

// openVerification finds a verification or email-change link without
// using it: ErrLinkUnknown for one that never existed, ErrLinkDead for one
// that is used, expired, forged or no longer matching its account. A
// sign-up link whose address is the account's and already confirmed is
// already (used or not, expired or not): its owner opened it before.
func (s *Service) openVerification(ctx context.Context, raw string) (tok *auth.Token, u *auth.User, already bool, err error) {
	selector, verifier, ok := auth.ParseSplitToken(raw)
	if !ok {
		return nil, nil, false, ErrLinkUnknown
	}
	tok, err = s.store.Tokens().BySelector(ctx, selector, auth.TokenVerifyEmail, auth.TokenEmailChange)
	if IsNotFound(err) {
		return nil, nil, false, ErrLinkUnknown
	}
	if err != nil {
		return nil, nil, false, err
	}
	u, err = s.store.Users().ByID(ctx, tok.UserID)
	if IsNotFound(err) {
		return nil, nil, false, ErrLinkUnknown
	}
	if err != nil {
		return nil, nil, false, err
	}
	// The verifier first: a guessed selector learns nothing.
	if !auth.KeyedVerifierMatches(s.secret, tokenBinding(tok.Kind, u, tok.Email), verifier, tok.VerifierHash) {
		return nil, nil, false, ErrLinkDead
	}
	sameAddress := auth.EmailKey(tok.Email) == u.EmailKey
	if tok.Kind == auth.TokenVerifyEmail && sameAddress && u.EmailVerified {
		return tok, u, true, nil
	}
	// A sign-up link confirms the address it went to, and only while that
	// is still the account's address.
	if !tok.Live(s.clock.Now()) || (tok.Kind == auth.TokenVerifyEmail && !sameAddress) {
		return nil, nil, false, ErrLinkDead
	}
	return tok, u, false, nil
}

// OpenVerification reads a verification link for its page, changing
// nothing (mail scanners fetch links): the address it confirms, or that
// it is already confirmed; ErrLinkUnknown or ErrLinkDead when it cannot
// be used.
func (s *Service) OpenVerification(ctx context.Context, raw string) (Verification, error) {
	tok, u, already, err := s.openVerification(ctx, raw)
	if err != nil {
		return Verification{}, err
	}
	return Verification{UserID: u.ID, Email: tok.Email, Change: tok.Kind == auth.TokenEmailChange, Already: already}, nil
}

// VerifyEmail uses a verification link (the POST of its page): it confirms
// the address it was sent to, once. A link of an email change switches the
// account to the new address (only now: the change waits for this) and
// tells the old address. A link whose address is already confirmed does
// nothing and says so (Confirmed.Already). ErrEmailTaken (with the address
// in Confirmed) when another account took the address meanwhile, as an
// email or as a username.
func (s *Service) VerifyEmail(ctx context.Context, raw string, from Client) (Confirmed, error) {
	tok, u, already, err := s.openVerification(ctx, raw)
	if err != nil {
		return Confirmed{}, err
	}
	changed := tok.Kind == auth.TokenEmailChange
	res := Confirmed{UserID: u.ID, Email: tok.Email, Changed: changed, Already: already}
	if already {
		return res, nil
	}
	now := s.clock.Now()
	err = s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		if err := useToken(ctx, tx, tok, now); err != nil {
			return err
		}
		if !changed {
			_, err := tx.Users().MarkEmailVerified(ctx, u.ID, u.EmailKey)
			return err
		}
		if err := emailFree(ctx, tx, tok.Email, u); err != nil {
			return err
		}
		if err := tx.Users().ChangeEmail(ctx, u.ID, tok.Email, auth.EmailKey(tok.Email)); err != nil {
			return err
		}
		if err := tx.Tokens().Revoke(ctx, u.ID, now, auth.TokenVerifyEmail, auth.TokenEmailChange); err != nil {
			return err
		}
		return s.queueMail(ctx, tx, Mail{Kind: MailEmailChanged, To: u.Email, Username: u.Username, NewEmail: tok.Email})
	})
	if errors.Is(err, ErrEmailTaken) {
		s.log.Info("email change refused: address taken", "user_id", u.ID, "email", tok.Email, "ip", from.IP)
		return res, err
	}
	if err != nil {
		return Confirmed{}, err
	}
	s.usersChanged(ctx, u.ID)
	if changed {
		s.wake()
		s.Record(ctx, from, "email_changed", u.ID, u.Username, u.Email+" → "+tok.Email)
		s.log.Info("email changed", "user", u.Username, "user_id", u.ID, "ip", from.IP)
	} else {
		s.Record(ctx, from, "email_verified", u.ID, u.Username, tok.Email)
		s.log.Info("email verified", "user", u.Username, "user_id", u.ID, "ip", from.IP)
	}
	return res, nil
}

// cooldown refuses a second mail of these kinds to u within MailCooldown.
func (s *Service) cooldown(ctx context.Context, u *auth.User, kinds ...string) error {
	last, err := s.store.Tokens().LastCreated(ctx, u.ID, kinds...)
	if err != nil {
		return err
	}
	if wait := last.Add(MailCooldown).Sub(s.clock.Now()); !last.IsZero() && wait > 0 {
		return &RateLimitedError{RetryAfter: wait}
	}
	return nil
}

// RequestEmailChange starts an email change: a link goes to the new
// address, and the account keeps its old address until the link is opened
// (VerifyEmail). A new request replaces a pending one; one mail per
// MailCooldown (*RateLimitedError). An address another account has (as
// its address or username) is ErrEmailTaken, or with PreventsEnumeration
// answered like any other while its owner gets a mail instead of a link.
func (s *Service) RequestEmailChange(ctx context.Context, u *auth.User, email string, from Client) error {
	key := auth.EmailKey(email)
	if key == u.EmailKey {
		return ErrSameEmail
	}
	taken := emailFree(ctx, s.store, email, u)
	if taken != nil && (!s.private || !errors.Is(taken, ErrEmailTaken)) {
		return taken
	}
	if err := s.cooldown(ctx, u, auth.TokenEmailChange); err != nil {
		return err
	}
	now := s.clock.Now()
	err := s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		if err := tx.Tokens().Revoke(ctx, u.ID, now, auth.TokenEmailChange); err != nil {
			return err
		}
		if taken != nil {
			// PreventsEnumeration: the request looks done (a pending change,
			// the cooldown) but its link is never sent, and the address's
			// owner is told instead.
			if _, err := s.issueToken(ctx, tx, auth.TokenEmailChange, u, email, VerifyTTL); err != nil {
				return err
			}
			return s.queueMail(ctx, tx, Mail{Kind: MailAddressInUse, To: email, Link: s.link("/login"),
				Change: true, At: now, IP: from.IP})
		}
		return s.queueLink(ctx, tx, auth.TokenEmailChange, u, email, VerifyTTL, "/verify-email/",
			Mail{Kind: MailConfirmNewEmail, To: email, Username: u.Username})
	})
	if err != nil {
		return err
	}
	s.wake()
	s.usersChanged(ctx, u.ID) // the cached pending change
	s.Record(ctx, from, "email_change_requested", u.ID, u.Username, email)
	s.log.Info("email change requested", "user", u.Username, "user_id", u.ID, "ip", from.IP)
	return nil
}

// PendingEmail is the address of u's email change awaiting confirmation ("" if none).
func (s *Service) PendingEmail(ctx context.Context, userID int64) (string, error) {
	t, err := s.store.Tokens().Pending(ctx, userID, auth.TokenEmailChange, s.clock.Now())
	if err != nil || t == nil {
		return "", err
	}
	return t.Email, nil
}

// resendPurpose signs the user id the "send a new link" form of the
// unverified page carries: only someone who just typed the password gets
// one, and it lasts an hour.
const resendPurpose = "verify-resend"

// ResendHandle signs u's id for the unverified page's form.
func (s *Service) ResendHandle(u *auth.User) string {
	return auth.Sign(s.secret, resendPurpose, strconv.FormatInt(u.ID, 10), s.clock.Now().Add(time.Hour))
}

// UserByResendHandle finds the active user a ResendHandle names;
// ErrNotFound when it is forged, expired or the user is gone.
func (s *Service) UserByResendHandle(ctx context.Context, handle string) (*auth.User, error) {
	id, ok := auth.Unsign(s.secret, resendPurpose, handle, s.clock.Now())
	uid, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil {
		return nil, ErrNotFound
	}
	u, err := s.store.Users().ByID(ctx, uid)
	if err != nil {
		return nil, err
	}
	if !u.IsActive {
		return nil, ErrNotFound
	}
	return u, nil
}

// ResendVerification sends u a new link for their address, at most one
// per MailCooldown (*RateLimitedError); ErrAlreadyVerified when confirmed.
func (s *Service) ResendVerification(ctx context.Context, u *auth.User, from Client) error {
	if u.EmailVerified {
		return ErrAlreadyVerified
	}
	if err := s.cooldown(ctx, u, auth.TokenVerifyEmail); err != nil {
		s.log.Info("verification mail refused: too soon", "user_id", u.ID, "ip", from.IP)
		return err
	}
	err := s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		return s.queueVerification(ctx, tx, u)
	})
	if err != nil {
		return err
	}
	s.wake()
	s.Record(ctx, from, "verification_sent", u.ID, u.Username, u.Email)
	s.log.Info("verification mail queued", "user", u.Username, "user_id", u.ID, "ip", from.IP)
	return nil
}

// Overview is what the account page shows besides the user.
type Overview struct {
	Groups       []string
	Perms        []string // effective codes, sorted
	PendingEmail string
}

// Overview gathers the account page of a signed-in user.
func (s *Service) Overview(ctx context.Context, sg *Signed) (Overview, error) {
	groups := sg.Principal.Groups
	// Only a superuser's effective permissions depend on the codes that
	// exist; anyone else's are the codes they were granted (OfUser returns
	// only codes that exist).
	var err error
	known := slices.Collect(maps.Keys(sg.Principal.Perms))
	if sg.Principal.IsActive && sg.Principal.IsSuperuser {
		if known, err = s.store.Perms().Codes(ctx); err != nil {
			return Overview{}, err
		}
	}
	// The pending email change comes with a cached principal, until its
	// link expires; otherwise it is read.
	var pending string
	if p := sg.Pending; p != nil && (p.Address == "" || s.clock.Now().Before(p.Until)) {
		pending = p.Address
	} else if pending, err = s.PendingEmail(ctx, sg.User.ID); err != nil {
		return Overview{}, err
	}
	return Overview{Groups: groups, Perms: sg.Principal.Effective(known), PendingEmail: pending}, nil
}
