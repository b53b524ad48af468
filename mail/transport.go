// Package mail delivers the outbox: a background Sender claims due
// messages from the outbox table (models.Outbox) and hands them to a
// Transport, SMTP through go-mail when GATEHOUSE_SMTP_URL is set, else the
// log. Several senders (one per instance) share one outbox without sending
// a message twice: each claims rows with a lease in one atomic UPDATE.
package mail

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/config"
)

// Message is one mail as a transport sees it.
type Message struct {
	ID      int64 // outbox id; with Created it makes the Message-ID, the same on every attempt
	Created time.Time
	To      string
	Subject string
	Text    string
	HTML    string
}

// Transport delivers messages. It returns one error per message, nil for
// each one the server accepted; an error wrapped in Permanent means retrying
// cannot help (the server refused the recipient for good).
type Transport interface {
	Send(ctx context.Context, msgs []Message) []error
}

// PermanentError marks a delivery failure that retrying cannot fix.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// LogTransport writes each whole message, link included, to the log:
// the transport when no SMTP server is configured (a laptop, a demo).
type LogTransport struct{ Log *slog.Logger }

func (l LogTransport) Send(ctx context.Context, msgs []Message) []error {
	errs := make([]error, len(msgs))
	for _, m := range msgs {
		l.Log.InfoContext(ctx, "mail written to the log (GATEHOUSE_SMTP_URL is empty)",
			"outbox_id", m.ID, "to", m.To, "subject", m.Subject, "text", m.Text, "html", m.HTML)
	}
	return errs
}

// FromConfig returns the transport the configuration asks for.
func FromConfig(cfg config.Config, log *slog.Logger) (Transport, error) {
	if cfg.SMTPURL == nil {
		return LogTransport{Log: log}, nil
	}
	return NewSMTP(cfg.SMTPURL, cfg.BaseURL)
}
