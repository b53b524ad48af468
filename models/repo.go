package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/account"
)

// Repo is the database as the application layer sees it: its stores, and
// transactions over them.
type Repo struct{ DB bun.IDB }

var (
	_ account.Store  = Repo{}
	_ account.Users  = Users{}
	_ account.Tokens = Tokens{}
	_ account.Outbox = Outbox{}
	_ account.Audit  = Audit{}
	_ account.Perms  = Perms{}
)

func (r Repo) Users() account.Users   { return Users{DB: r.DB} }
func (r Repo) Tokens() account.Tokens { return Tokens{DB: r.DB} }
func (r Repo) Outbox() account.Outbox { return Outbox{DB: r.DB} }
func (r Repo) Audit() account.Audit   { return Audit{DB: r.DB} }
func (r Repo) Perms() account.Perms   { return Perms{DB: r.DB} }

// InTx runs fn in a transaction (or in the one r already is in).
func (r Repo) InTx(ctx context.Context, fn func(ctx context.Context, tx account.Store) error) error {
	return inTx(ctx, r.DB, func(ctx context.Context, tx bun.Tx) error {
		return fn(ctx, Repo{DB: tx})
	})
}

// Queue adds a rendered mail to the outbox, due at.
func (o Outbox) Queue(ctx context.Context, m account.Rendered, at time.Time) error {
	return o.Enqueue(ctx, &OutboxMail{CreatedAt: at, To: m.To, Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML})
}

// Append records an audit event.
func (a Audit) Append(ctx context.Context, e account.Event) error {
	ev := &AuditEvent{CreatedAt: e.At.UTC(), Event: e.Name, Login: e.Login, IP: e.IP, UserAgent: e.UserAgent, Detail: e.Detail}
	if e.UserID != 0 {
		ev.UserID = &e.UserID
	}
	if e.ActorID != 0 {
		ev.ActorID = &e.ActorID
	}
	return a.Record(ctx, ev)
}
