package models

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// AuditEvent is one line of the audit log.
type AuditEvent struct {
	bun.BaseModel `bun:"table:audit_events"`

	ID        int64     `bun:"id,pk,autoincrement"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	Event     string    `bun:"event,notnull"`
	UserID    *int64    `bun:"user_id"`
	ActorID   *int64    `bun:"actor_id"`
	Login     string    `bun:"login,notnull"`
	IP        string    `bun:"ip,notnull"`
	UserAgent string    `bun:"user_agent,notnull"`
	Detail    string    `bun:"detail,notnull"`
}

// Audit is the audit log.
type Audit struct{ DB bun.IDB }

// Record appends an event.
func (a Audit) Record(ctx context.Context, e *AuditEvent) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC()
	}
	if len(e.UserAgent) > 512 {
		e.UserAgent = e.UserAgent[:512]
	}
	if len(e.Login) > 256 {
		e.Login = e.Login[:256]
	}
	if _, err := a.DB.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("record audit event %s: %w", e.Event, err)
	}
	return nil
}

// Recent lists the newest events of one kind, for tests and small views.
func (a Audit) Recent(ctx context.Context, event string, limit int) ([]AuditEvent, error) {
	var out []AuditEvent
	q := a.DB.NewSelect().Model(&out).OrderExpr("id DESC").Limit(int64(limit))
	if event != "" {
		q = q.Where("event = ?", event)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("recent audit events: %w", err)
	}
	return out, nil
}
