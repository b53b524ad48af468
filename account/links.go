package account

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// Lifetimes of mailed links, and the pause between two mails of a kind.
const (
	VerifyTTL    = 3 * 24 * time.Hour
	ResetTTL     = time.Hour
	MailCooldown = 3 * time.Minute
)

// tokenBinding is what a token's stored MAC is bound to besides the secret
// key: its kind, its user and what must not change while it lives. A reset
// link dies when the password (password_changed_at) or the address
// changes, whoever changed it; a verification link only confirms the
// address it was sent to; an email-change link dies when the address
// changes otherwise.
func tokenBinding(kind string, u *auth.User, email string) string {
	switch kind {
	case auth.TokenPasswordReset:
		return fmt.Sprintf("%s|%d|%s|%d", kind, u.ID, u.EmailKey, u.PasswordChangedAt.UnixMicro())
	case auth.TokenEmailChange:
		return fmt.Sprintf("%s|%d|%s|%s", kind, u.ID, auth.EmailKey(email), u.EmailKey)
	default:
		return fmt.Sprintf("%s|%d|%s", kind, u.ID, auth.EmailKey(email))
	}
}

// issueToken stores a new link token for u (email: the address the link
// goes to) in st and returns the token for the URL.
func (s *Service) issueToken(ctx context.Context, st Store, kind string, u *auth.User, email string, ttl time.Duration) (string, error) {
	raw, selector, hash := auth.NewKeyedSplitToken(s.secret, tokenBinding(kind, u, email))
	now := s.clock.Now()
	t := &auth.Token{Kind: kind, Selector: selector, VerifierHash: hash, UserID: u.ID, Email: email,
		CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := st.Tokens().Create(ctx, t); err != nil {
		return "", err
	}
	return raw, nil
}

// queueLink issues a link token for u and queues the mail m that carries
// it, in st (the caller's transaction). path is the link's route prefix.
func (s *Service) queueLink(ctx context.Context, st Store, kind string, u *auth.User, email string, ttl time.Duration,
	path string, m Mail) error {
	raw, err := s.issueToken(ctx, st, kind, u, email, ttl)
	if err != nil {
		return err
	}
	m.Link = s.link(path + raw)
	return s.queueMail(ctx, st, m)
}

// queueVerification queues the mail with a link that confirms u's address.
func (s *Service) queueVerification(ctx context.Context, st Store, u *auth.User) error {
	return s.queueLink(ctx, st, auth.TokenVerifyEmail, u, u.Email, VerifyTTL, "/verify-email/",
		Mail{Kind: MailVerifyEmail, To: u.Email, Username: u.Username})
}

// openLink finds a link's token and user without using it up: ErrLinkUnknown
// for one that never existed, ErrLinkDead (with the token and user) for one
// used, expired or no longer matching its user.
func (s *Service) openLink(ctx context.Context, raw string, kinds ...string) (*auth.Token, *auth.User, error) {
	selector, verifier, ok := auth.ParseSplitToken(raw)
	if !ok {
		return nil, nil, ErrLinkUnknown
	}
	t, err := s.store.Tokens().BySelector(ctx, selector, kinds...)
	if IsNotFound(err) {
		return nil, nil, ErrLinkUnknown
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := s.store.Users().ByID(ctx, t.UserID)
	if IsNotFound(err) {
		return nil, nil, ErrLinkUnknown
	}
	if err != nil {
		return nil, nil, err
	}
	if !auth.KeyedVerifierMatches(s.secret, tokenBinding(t.Kind, u, t.Email), verifier, t.VerifierHash) || !t.Live(s.clock.Now()) {
		return t, u, ErrLinkDead
	}
	return t, u, nil
}

// useToken marks t used in st; a link that another request used first is ErrLinkDead.
func useToken(ctx context.Context, st Store, t *auth.Token, at time.Time) error {
	ok, err := st.Tokens().Use(ctx, t.ID, at)
	if err != nil {
		return err
	}
	if !ok {
		return ErrLinkDead
	}
	return nil
}
