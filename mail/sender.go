package mail

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/models"
)

// Options tune a Sender; zero values take the defaults.
type Options struct {
	Poll       time.Duration // look for due mail this often without a Notify (5 s)
	Backoff    time.Duration // delay after the first failure, doubling after each (30 s)
	MaxBackoff time.Duration // longest delay between attempts (30 min)
	Lease      time.Duration // a claimed message is invisible to other senders this long (2 min)
	Batch      int           // messages claimed (and sent over one connection) at once (20)
	Keep       time.Duration // delivered and abandoned rows are deleted after this (30 days)
	Now        func() time.Time
	Log        *slog.Logger
}

// Sender delivers the outbox in the background.
type Sender struct {
	outbox    models.Outbox
	transport Transport
	o         Options
	wake      chan struct{}
}

// NewSender returns a sender for the outbox in db.
func NewSender(db bun.IDB, t Transport, o Options) *Sender {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Poll, 5*time.Second)
	def(&o.Backoff, 30*time.Second)
	def(&o.MaxBackoff, 30*time.Minute)
	def(&o.Lease, 2*time.Minute)
	def(&o.Keep, 30*24*time.Hour)
	if o.Batch <= 0 {
		o.Batch = 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Sender{outbox: models.Outbox{DB: db}, transport: t, o: o, wake: make(chan struct{}, 1)}
}

// Notify wakes the sender: a message was just committed. It never blocks.
func (s *Sender) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends. A batch already handed to the transport is
// finished (within the lease) so it is recorded as sent, not sent again.
func (s *Sender) Run(ctx context.Context) {
	housekeep := time.Now()
	for {
		n, err := s.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.o.Log.Warn("mail outbox unavailable", "err", err)
		}
		if ctx.Err() != nil {
			return
		}
		if time.Since(housekeep) > time.Hour {
			housekeep = time.Now()
			s.housekeep(ctx)
		}
		if err == nil && n == s.o.Batch {
			continue // more may be due
		}
		t := time.NewTimer(s.o.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// SendDue claims one batch of due messages, delivers it and records the
// outcome of each. It returns how many it claimed.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	rows, err := s.outbox.Claim(ctx, s.o.Now(), s.o.Lease, s.o.Batch)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	// Once claimed, the batch is seen through even if ctx ends: the
	// transport gets at most half the lease, and the bookkeeping after it
	// must happen or the mail would go out twice.
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.Lease/2)
	defer cancel()
	msgs := make([]Message, len(rows))
	for i, r := range rows {
		msgs[i] = Message{ID: r.ID, Created: r.CreatedAt, To: r.To, Subject: r.Subject, Text: r.TextBody, HTML: r.HTMLBody}
	}
	errs := s.transport.Send(work, msgs)
	book := context.WithoutCancel(ctx)
	now := s.o.Now()
	var first error
	keep := func(e error) {
		if e != nil && first == nil {
			first = e
		}
	}
	for i, r := range rows {
		var err error
		if i < len(errs) {
			err = errs[i]
		}
		switch {
		case err == nil:
			keep(s.outbox.MarkSent(book, r.ID, now))
			s.o.Log.Info("mail sent", "outbox_id", r.ID, "to", r.To, "subject", r.Subject, "attempts", r.Attempts)
		case IsPermanent(err):
			keep(s.outbox.Fail(book, r.ID, now, err.Error()))
			s.o.Log.Error("mail refused for good", "outbox_id", r.ID, "to", r.To, "subject", r.Subject, "err", err)
		default:
			next := now.Add(s.backoff(r.Attempts))
			keep(s.outbox.Retry(book, r.ID, next, err.Error()))
			s.o.Log.Warn("mail not sent, will retry", "outbox_id", r.ID, "to", r.To, "attempts", r.Attempts,
				"next_attempt", next.Format(time.RFC3339), "err", err)
		}
	}
	return len(rows), first
}

// backoff is the delay after the attempts-th failure: Backoff doubled per
// earlier failure, at most MaxBackoff, plus up to a fifth more at random so
// that instances do not retry in step.
func (s *Sender) backoff(attempts int) time.Duration {
	d := s.o.Backoff
	for i := 1; i < attempts && d < s.o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, s.o.MaxBackoff)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

func (s *Sender) housekeep(ctx context.Context) {
	n, err := s.outbox.DeleteFinished(ctx, s.o.Now().Add(-s.o.Keep))
	if err != nil {
		s.o.Log.Warn("mail outbox cleanup", "err", err)
	} else if n > 0 {
		s.o.Log.Debug("mail outbox cleanup", "deleted", n)
	}
}
