package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/account"
	mailc "github.com/gatehouse/gatehouse/components/mail"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/models"
)

// linkFailed answers a mailed link that cannot be used: 404 for one that
// never existed, 410 for one that did (used, expired, or no longer
// matching its user); never a 500. Other errors go on to handleError.
func (s *Server) linkFailed(c fiber.Ctx, err error, retryHref, retryLabel string) error {
	status := fiber.StatusGone
	switch {
	case errors.Is(err, account.ErrLinkUnknown):
		status = fiber.StatusNotFound
	case !errors.Is(err, account.ErrLinkDead):
		return err
	}
	p := s.props(c, "Link invalid or expired")
	return s.page(c, status, p, pages.LinkInvalid(retryHref, retryLabel))
}

// link is an absolute URL on this site, for mails.
func (s *Server) link(path string) string { return s.Config.BaseURL.String() + path }

// queueMail renders m and puts it in the outbox through db.
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

// mailTime is how mails state a moment.
func mailTime(t time.Time) string {
	return t.UTC().Format("2 January 2006 at 15:04 UTC")
}
