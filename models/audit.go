package models

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/account"
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

// AuditQuery selects one page of the audit log, newest first.
type AuditQuery = account.AuditQuery

// AuditPage is one page of the log and the cursors of its neighbours.
type AuditPage struct {
	Events     []AuditEvent
	Next, Prev string
}

func auditCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("audit|" + strconv.FormatInt(id, 10)))
}

func decodeAuditCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 64 {
		return 0, ErrBadCursor
	}
	rest, ok := strings.CutPrefix(string(b), "audit|")
	if !ok {
		return 0, ErrBadCursor
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 {
		return 0, ErrBadCursor
	}
	return id, nil
}

// List returns a page of the log, newest first, with keyset cursors on the
// id: one index range scan per page however far back it is.
func (a Audit) List(ctx context.Context, q AuditQuery) (AuditPage, error) {
	if q.Limit < 1 {
		return AuditPage{}, fmt.Errorf("audit list: limit %d", q.Limit)
	}
	if q.After != "" && q.Before != "" {
		return AuditPage{}, ErrBadCursor
	}
	var events []AuditEvent
	sel := a.DB.NewSelect().Model(&events)
	if q.UserID != 0 {
		sel = sel.WhereGroup(" AND ", func(s *bun.SelectQuery) *bun.SelectQuery {
			return s.Where("user_id = ?", q.UserID).WhereOr("actor_id = ?", q.UserID)
		})
	}
	if q.Event != "" {
		sel = sel.Where("event = ?", q.Event)
	}
	backward := q.Before != ""
	switch {
	case q.After != "":
		id, err := decodeAuditCursor(q.After)
		if err != nil {
			return AuditPage{}, err
		}
		sel = sel.Where("id < ?", id)
	case backward:
		id, err := decodeAuditCursor(q.Before)
		if err != nil {
			return AuditPage{}, err
		}
		sel = sel.Where("id > ?", id)
	}
	if backward {
		sel = sel.OrderExpr("id ASC")
	} else {
		sel = sel.OrderExpr("id DESC")
	}
	if err := sel.Limit(int64(q.Limit + 1)).Scan(ctx); err != nil {
		return AuditPage{}, fmt.Errorf("audit list: %w", err)
	}
	more := len(events) > q.Limit
	if more {
		events = events[:q.Limit]
	}
	page := AuditPage{}
	if backward {
		if !more {
			first := q
			first.Before = ""
			return a.List(ctx, first)
		}
		slices.Reverse(events)
		page.Prev = auditCursor(events[0].ID)
		page.Next = auditCursor(events[len(events)-1].ID)
	} else {
		if more {
			page.Next = auditCursor(events[len(events)-1].ID)
		}
		if q.After != "" && len(events) > 0 {
			page.Prev = auditCursor(events[0].ID)
		}
	}
	page.Events = events
	return page, nil
}
