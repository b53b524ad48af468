package mail_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/internal/smtptest"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/mail"
	"github.com/gatehouse/gatehouse/models"
)

func openOutbox(t *testing.T) *bun.DB {
	t.Helper()
	db := testenv.OpenDB(t)
	if _, err := models.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

func smtpTransport(t *testing.T, srv *smtptest.Server) mail.Transport {
	t.Helper()
	u, _ := url.Parse(srv.URL())
	base, _ := url.Parse("https://gate.example")
	tr, err := mail.NewSMTP(u, base)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// fast makes retries quick enough for a test.
func fast(clock *testenv.Clock) mail.Options {
	o := mail.Options{Poll: 20 * time.Millisecond, Backoff: 30 * time.Millisecond, MaxBackoff: 150 * time.Millisecond,
		Lease: 20 * time.Second, Log: slog.New(slog.DiscardHandler)}
	if clock != nil {
		o.Now = clock.Now
	}
	return o
}

func run(t *testing.T, s *mail.Sender) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func enqueue(t *testing.T, db bun.IDB, to, subject string) *models.OutboxMail {
	t.Helper()
	m := &models.OutboxMail{To: to, Subject: subject, TextBody: "Open https://gate.example/x/" + subject + "\n",
		HTMLBody: `<p><a href="https://gate.example/x/` + subject + `">open</a></p>`}
	testenv.Must(t, models.Outbox{DB: db}.Enqueue(context.Background(), m))
	return m
}

func TestSenderDeliversTextAndHTML(t *testing.T) {
	t.Parallel()
	db := openOutbox(t)
	srv := smtptest.Start(t)
	s := mail.NewSender(db, smtpTransport(t, srv), fast(nil))
	row := enqueue(t, db, "ann@example.com", "hello")
	run(t, s)
	s.Notify()
	m := srv.WaitTo("ann@example.com", "hello")
	if m.Link("/x/hello") == "" || !strings.Contains(m.HTML, `href="https://gate.example/x/hello"`) {
		t.Fatalf("parts: text %q html %q", m.Text, m.HTML)
	}
	if m.From != "noreply@gate.example" || !strings.Contains(m.MessageID, fmt.Sprintf("outbox-%d.", row.ID)) {
		t.Fatalf("from %q message-id %q", m.From, m.MessageID)
	}
	if got := m.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted: %q", got)
	}
	waitFor(t, func() bool {
		r, err := models.Outbox{DB: db}.ByID(context.Background(), row.ID)
		return err == nil && r.SentAt != nil
	})
	r, _ := models.Outbox{DB: db}.ByID(context.Background(), row.ID)
	if r.TextBody != "" || r.HTMLBody != "" || r.Attempts != 1 {
		t.Fatalf("sent row keeps its bodies or counts %d attempts: %+v", r.Attempts, r)
	}
}

func TestSenderWaitsForServerAndDeliversOnce(t *testing.T) {
	t.Parallel()
	db := openOutbox(t)
	srv := smtptest.Start(t)
	srv.Stop()
	run(t, mail.NewSender(db, smtpTransport(t, srv), fast(nil)))
	row := enqueue(t, db, "bea@example.com", "waiting")
	out := models.Outbox{DB: db}
	waitFor(t, func() bool {
		r, err := out.ByID(context.Background(), row.ID)
		return err == nil && r.Attempts >= 3
	})
	r, _ := out.ByID(context.Background(), row.ID)
	if r.SentAt != nil || r.FailedAt != nil || !strings.Contains(r.LastError, "connect") {
		t.Fatalf("while the server is down: %+v", r)
	}
	if n, _ := out.Pending(context.Background()); n != 1 {
		t.Fatalf("pending %d, want 1", n)
	}
	srv.Restart()
	srv.WaitTo("bea@example.com", "waiting")
	time.Sleep(300 * time.Millisecond) // longer than the largest backoff: a second copy would have come
	if got := len(srv.Messages()); got != 1 {
		t.Fatalf("%d copies delivered", got)
	}
	if n, _ := out.Pending(context.Background()); n != 0 {
		t.Fatalf("pending %d after delivery", n)
	}
}

// Two senders (two instances) share one outbox: every message arrives
// exactly once. On PostgreSQL the claim uses FOR UPDATE SKIP LOCKED.
func TestTwoSendersDeliverEachMessageOnce(t *testing.T) {
	t.Parallel()
	db := openOutbox(t)
	srv := smtptest.Start(t)
	srv.Stop()
	const n = 60
	for i := range n {
		enqueue(t, db, fmt.Sprintf("u%02d@example.com", i), fmt.Sprintf("m%02d", i))
	}
	// Small batches make the senders interleave and race for rows.
	for range 2 {
		o := fast(nil)
		o.Batch = 3
		run(t, mail.NewSender(db, smtpTransport(t, srv), o))
	}
	time.Sleep(100 * time.Millisecond) // both senders fail a few times first
	srv.Restart()
	srv.WaitCount(n, 15*time.Second)
	// Delivered is not yet marked sent: wait until nothing is pending (a
	// loaded machine may take a while), then no sender has anything left
	// to send twice.
	out := models.Outbox{DB: db}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		p, err := out.Pending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if p == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d still pending", p)
		}
	}
	time.Sleep(200 * time.Millisecond) // a duplicate still in flight would land now
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[m.MessageID]++
	}
	if len(seen) != n || len(srv.Messages()) != n {
		t.Fatalf("%d messages, %d distinct, want %d each", len(srv.Messages()), len(seen), n)
	}
}

// Claims race directly: many goroutines claim from one outbox at once and
// no row is handed out twice.
func TestClaimIsExclusive(t *testing.T) {
	t.Parallel()
	db := openOutbox(t)
	const n = 50
	for i := range n {
		enqueue(t, db, "c@example.com", fmt.Sprintf("c%02d", i))
	}
	out := models.Outbox{DB: db}
	var mu sync.Mutex
	got := map[int64]int{}
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				rows, err := out.Claim(context.Background(), time.Now(), time.Minute, 4)
				if err != nil {
					t.Error(err)
					return
				}
				if len(rows) == 0 {
					return
				}
				mu.Lock()
				for _, r := range rows {
					got[r.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(got) != n {
		t.Fatalf("claimed %d distinct rows, want %d", len(got), n)
	}
	for id, k := range got {
		if k != 1 {
			t.Errorf("row %d claimed %d times", id, k)
		}
	}
}

// A sender that died holding a claim does not lose the message: after the
// lease another sender delivers it.
func TestExpiredLeaseIsClaimedAgain(t *testing.T) {
	t.Parallel()
	db := openOutbox(t)
	srv := smtptest.Start(t)
	clock := &testenv.Clock{}
	row := enqueue(t, db, "dan@example.com", "orphan")
	rows, err := models.Outbox{DB: db}.Claim(context.Background(), clock.Now(), 20*time.Second, 10)
	if err != nil || len(rows) != 1 {
		t.Fatalf("claim: %v %d", err, len(rows))
	}
	s := mail.NewSender(db, smtpTransport(t, srv), fast(clock))
	if k, err := s.SendDue(context.Background()); err != nil || k != 0 {
		t.Fatalf("a leased message was claimed again: %d %v", k, err)
	}
	clock.Advance(21 * time.Second)
	if k, err := s.SendDue(context.Background()); err != nil || k != 1 {
		t.Fatalf("after the lease: %d %v", k, err)
	}
	srv.WaitTo("dan@example.com", "orphan")
	r, _ := models.Outbox{DB: db}.ByID(context.Background(), row.ID)
	if r.SentAt == nil || r.Attempts != 2 {
		t.Fatalf("row after the second claim: %+v", r)
	}
}

func TestRefusedRecipientIsGivenUp(t *testing.T) {
	t.Parallel()
	db := openOutbox(t)
	srv := smtptest.Start(t)
	srv.Reject("gone@example.com")
	bad := enqueue(t, db, "gone@example.com", "bounce")
	good := enqueue(t, db, "here@example.com", "fine")
	s := mail.NewSender(db, smtpTransport(t, srv), fast(nil))
	if _, err := s.SendDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.WaitTo("here@example.com", "fine")
	out := models.Outbox{DB: db}
	b, _ := out.ByID(context.Background(), bad.ID)
	g, _ := out.ByID(context.Background(), good.ID)
	if b.FailedAt == nil || b.SentAt != nil || !strings.Contains(b.LastError, "550") || g.SentAt == nil {
		t.Fatalf("refused: %+v\naccepted: %+v", b, g)
	}
	if k, _ := s.SendDue(context.Background()); k != 0 {
		t.Fatal("a refused message was tried again")
	}
}

func TestLogTransportWritesWholeMessage(t *testing.T) {
	t.Parallel()
	db := openOutbox(t)
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
	enqueue(t, db, "eve@example.com", "logged")
	o := fast(nil)
	o.Log = log
	if _, err := mail.NewSender(db, mail.LogTransport{Log: log}, o).SendDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), "https://gate.example/x/logged") || !strings.Contains(buf.String(), "eve@example.com") {
		t.Fatalf("log:\n%s", buf.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkOutboxTwoSenders: mails per second through two senders sharing
// one outbox into a local SMTP server (go test -bench Outbox -benchtime 500x ./mail).
func BenchmarkOutboxTwoSenders(b *testing.B) {
	db := testenv.OpenDB(b)
	if _, err := models.Migrate(context.Background(), db); err != nil {
		b.Fatal(err)
	}
	srv := smtptest.Start(b)
	u, _ := url.Parse(srv.URL())
	base, _ := url.Parse("https://gate.example")
	for i := range b.N {
		m := &models.OutboxMail{To: fmt.Sprintf("b%d@example.com", i), Subject: "bench", TextBody: "x", HTMLBody: "<p>x</p>"}
		if err := (models.Outbox{DB: db}).Enqueue(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		tr, err := mail.NewSMTP(u, base)
		if err != nil {
			b.Fatal(err)
		}
		s := mail.NewSender(db, tr, mail.Options{Poll: 10 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
		wg.Add(1)
		go func() { defer wg.Done(); s.Run(ctx) }()
	}
	srv.WaitCount(b.N, time.Minute)
	b.StopTimer()
	cancel()
	wg.Wait()
	if got := len(srv.Messages()); got != b.N {
		b.Fatalf("%d delivered, want %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
}
