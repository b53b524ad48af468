package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/auth"
	mailc "github.com/gatehouse/gatehouse/components/mail"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/models"
)

// Account lifecycle: mailed links (verification, email change, password
// reset) and the outbox they travel through.
const (
	verifyTTL    = 3 * 24 * time.Hour
	resetTTL     = time.Hour
	mailCooldown = 3 * time.Minute // between verification mails to one user
)

// link is an absolute URL on this site, for mails.
func (s *Server) link(path string) string { return s.Config.BaseURL.String() + path }

// queueMail renders m and puts it in the outbox through db, normally the
// transaction that made what the mail announces. Call wakeMailer after the
// commit.
func (s *Server) queueMail(ctx context.Context, db bun.IDB, m mailc.Mail) error {
	text, html, err := mailc.Render(ctx, m)
	if err != nil {
		return fmt.Errorf("render mail %q: %w", m.Subject, err)
	}
	return models.Outbox{DB: db}.Enqueue(ctx, &models.OutboxMail{
		CreatedAt: s.Now(), To: m.To, Subject: m.Subject, TextBody: text, HTMLBody: html,
	})
}

// wakeMailer tells the background sender that mail was committed.
func (s *Server) wakeMailer() {
	if s.Mailer != nil {
		s.Mailer.Notify()
	}
}

// tokenBinding is what a token's stored MAC is bound to besides the secret
// key: its kind, its user and what must not change while it lives. A reset
// link dies when the password (password_changed_at) or the address
// changes, whoever changed it; a verification link only confirms the
// address it was sent to; an email-change link dies when the address
// changes otherwise.
func tokenBinding(kind string, u *models.User, email string) string {
	switch kind {
	case models.TokenPasswordReset:
		return fmt.Sprintf("%s|%d|%s|%d", kind, u.ID, u.EmailKey, u.PasswordChangedAt.UnixMicro())
	case models.TokenEmailChange:
		return fmt.Sprintf("%s|%d|%s|%s", kind, u.ID, auth.EmailKey(email), u.EmailKey)
	default:
		return fmt.Sprintf("%s|%d|%s", kind, u.ID, auth.EmailKey(email))
	}
}

// issueToken stores a new link token for u (email: the address the link
// goes to) and returns the token for the URL.
func (s *Server) issueToken(ctx context.Context, db bun.IDB, kind string, u *models.User, email string, ttl time.Duration) (string, error) {
	raw, selector, hash := auth.NewKeyedSplitToken(s.SecretKey, tokenBinding(kind, u, email))
	now := s.Now()
	t := &models.Token{Kind: kind, Selector: selector, VerifierHash: hash, UserID: u.ID, Email: email,
		CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := (models.Tokens{DB: db}).Create(ctx, t); err != nil {
		return "", err
	}
	return raw, nil
}

// queueLink issues a link token for u and queues the mail that carries it,
// through db (the caller's transaction). path is the link's route prefix,
// e.g. "/verify-email/"; mail builds the message around the full link.
func (s *Server) queueLink(ctx context.Context, db bun.IDB, kind string, u *models.User, email string, ttl time.Duration,
	path string, mail func(link string) mailc.Mail) error {
	raw, err := s.issueToken(ctx, db, kind, u, email, ttl)
	if err != nil {
		return err
	}
	return s.queueMail(ctx, db, mail(s.link(path+raw)))
}

// queueVerification queues the mail with a link that confirms u's address.
func (s *Server) queueVerification(ctx context.Context, db bun.IDB, u *models.User) error {
	return s.queueLink(ctx, db, models.TokenVerifyEmail, u, u.Email, verifyTTL, "/verify-email/",
		func(link string) mailc.Mail { return mailc.VerifyEmail(u.Email, u.Username, link) })
}

// linkState says whether a mailed link may be used.
type linkState int

const (
	linkOK      linkState = iota
	linkUnknown           // not a token, or no such token: 404
	linkDead              // used, expired, or no longer matching its user: 410
)

// openLink finds a link's token and user without using it up.
func (s *Server) openLink(ctx context.Context, raw string, kinds ...string) (*models.Token, *models.User, linkState, error) {
	selector, verifier, ok := auth.ParseSplitToken(raw)
	if !ok {
		return nil, nil, linkUnknown, nil
	}
	t, err := models.Tokens{DB: s.DB}.BySelector(ctx, selector, kinds...)
	if models.IsNotFound(err) {
		return nil, nil, linkUnknown, nil
	}
	if err != nil {
		return nil, nil, 0, err
	}
	u, err := s.users.ByID(ctx, t.UserID)
	if models.IsNotFound(err) {
		return nil, nil, linkUnknown, nil
	}
	if err != nil {
		return nil, nil, 0, err
	}
	if !auth.KeyedVerifierMatches(s.SecretKey, tokenBinding(t.Kind, u, t.Email), verifier, t.VerifierHash) || !t.Live(s.Now()) {
		return t, u, linkDead, nil
	}
	return t, u, linkOK, nil
}

// linkInvalid answers a link that cannot be used: 404 for one that never
// existed, 410 for one that did; never a 500.
func (s *Server) linkInvalid(c fiber.Ctx, state linkState, retryHref, retryLabel string) error {
	status := fiber.StatusGone
	if state == linkUnknown {
		status = fiber.StatusNotFound
	}
	p := s.props(c, "Link invalid or expired")
	return s.page(c, status, p, pages.LinkInvalid(retryHref, retryLabel))
}
