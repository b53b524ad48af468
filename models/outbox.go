package models

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// OutboxMail is one message waiting for (or past) delivery. It is written in
// the same transaction as whatever it announces (a token, a password
// change), so a mail is never lost and never sent for a change that rolled
// back.
type OutboxMail struct {
	bun.BaseModel `bun:"table:outbox"`

	ID            int64      `bun:"id,pk,autoincrement"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	To            string     `bun:"to_addr,notnull"`
	Subject       string     `bun:"subject,notnull"`
	TextBody      string     `bun:"text_body,notnull"`
	HTMLBody      string     `bun:"html_body,notnull"`
	Attempts      int        `bun:"attempts,notnull"`
	NextAttemptAt time.Time  `bun:"next_attempt_at,notnull"`
	SentAt        *time.Time `bun:"sent_at"`
	FailedAt      *time.Time `bun:"failed_at"`
	LastError     string     `bun:"last_error,notnull"`
}

// Outbox is the mail queue.
type Outbox struct{ DB bun.IDB }

// Enqueue adds a message, due at m.CreatedAt (now if zero).
func (o Outbox) Enqueue(ctx context.Context, m *OutboxMail) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now()
	}
	m.CreatedAt = m.CreatedAt.UTC()
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = m.CreatedAt
	}
	if _, err := o.DB.NewInsert().Model(m).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("enqueue mail to %s: %w", m.To, err)
	}
	return nil
}

// Claim takes up to limit messages that are due at now and leases them
// until now+lease: their next attempt moves to the end of the lease and
// their attempt count goes up, so another sender neither sees them while
// this one works nor loses them if this one dies. One UPDATE … RETURNING is
// atomic on both databases; on PostgreSQL, FOR UPDATE SKIP LOCKED lets
// concurrent senders take different rows instead of queueing on the same
// ones, and the repeated conditions in the outer WHERE make a row that
// another sender claimed meanwhile drop out.
func (o Outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxMail, error) {
	now = now.UTC()
	lock := ""
	if IsPostgres(o.DB) {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []OutboxMail
	err := o.DB.NewRaw(`UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1
WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
	ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
RETURNING id, created_at, to_addr, subject, text_body, html_body, attempts, next_attempt_at, sent_at, failed_at, last_error`,
		now.Add(lease), now, limit, now).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	return out, nil
}

// MarkSent records a delivery and drops the bodies: they may hold a live
// link, which only the recipient's mailbox should keep.
func (o Outbox) MarkSent(ctx context.Context, id int64, at time.Time) error {
	_, err := o.DB.NewUpdate().Model((*OutboxMail)(nil)).
		Set("sent_at = ?", at.UTC()).Set("text_body = ''").Set("html_body = ''").Set("last_error = ''").
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark mail %d sent: %w", id, err)
	}
	return nil
}

// Retry records a failed attempt and when to try again.
func (o Outbox) Retry(ctx context.Context, id int64, next time.Time, reason string) error {
	_, err := o.DB.NewUpdate().Model((*OutboxMail)(nil)).
		Set("next_attempt_at = ?", next.UTC()).Set("last_error = ?", truncateText(reason, 1000)).
		Where("id = ?", id).Where("sent_at IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("reschedule mail %d: %w", id, err)
	}
	return nil
}

// Fail gives a message up for good (the server refused the recipient).
func (o Outbox) Fail(ctx context.Context, id int64, at time.Time, reason string) error {
	_, err := o.DB.NewUpdate().Model((*OutboxMail)(nil)).
		Set("failed_at = ?", at.UTC()).Set("last_error = ?", truncateText(reason, 1000)).
		Set("text_body = ''").Set("html_body = ''").
		Where("id = ?", id).Where("sent_at IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("fail mail %d: %w", id, err)
	}
	return nil
}

// ByID loads one message (tests, diagnostics).
func (o Outbox) ByID(ctx context.Context, id int64) (*OutboxMail, error) {
	m := new(OutboxMail)
	if err := o.DB.NewSelect().Model(m).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load mail %d: %w", id, notFound(err))
	}
	return m, nil
}

// Pending counts messages not yet delivered nor given up.
func (o Outbox) Pending(ctx context.Context) (int64, error) {
	n, err := o.DB.NewSelect().Model((*OutboxMail)(nil)).Where("sent_at IS NULL AND failed_at IS NULL").Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count pending mail: %w", err)
	}
	return n, nil
}

// DeleteFinished removes delivered or abandoned messages older than before.
func (o Outbox) DeleteFinished(ctx context.Context, before time.Time) (int64, error) {
	res, err := o.DB.NewDelete().Model((*OutboxMail)(nil)).
		Where("(sent_at IS NOT NULL AND sent_at < ?) OR (failed_at IS NOT NULL AND failed_at < ?)", before.UTC(), before.UTC()).
		Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete old mail: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
