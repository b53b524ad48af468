package account_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/limiter"
	"github.com/gatehouse/gatehouse/mail"
	"github.com/gatehouse/gatehouse/models"
)

// fakeSessions records which sessions the use cases end.
type fakeSessions struct {
	mu    sync.Mutex
	ended map[int64][]string // user → kept id of each EndAll
}

func (f *fakeSessions) EndAll(_ context.Context, uid int64, keep string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended[uid] = append(f.ended[uid], keep)
	return 1, nil
}
func (f *fakeSessions) List(context.Context, int64) ([]account.SessionInfo, error) { return nil, nil }
func (f *fakeSessions) End(context.Context, int64, string) error                   { return nil }

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newService(t *testing.T, verify bool) (*account.Service, *fakeSessions, *clock) {
	t.Helper()
	db := testenv.OpenDB(t)
	if _, err := models.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	store := testenv.OpenStore(t, db)
	sess := &fakeSessions{ended: map[int64][]string{}}
	clk := &clock{t: time.Now()}
	svc := account.New(account.Deps{
		Store: models.Repo{DB: db}, Sessions: sess, Limiter: limiter.Limiter{Store: store},
		Hasher:  auth.NewHasher(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0),
		Letters: mail.Letters{}, Clock: clk, SecretKey: "account-test-secret-0123456789abcdef",
		BaseURL: "http://gatehouse.test", MandatoryVerification: verify,
	})
	return svc, sess, clk
}

var from = account.Client{IP: "192.0.2.7", UserAgent: "test"}

func TestSignInResults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newService(t, false)
	signed, u, err := svc.Register(ctx, account.NewAccount{Username: "Alice", Email: "alice@example.com", Password: "violet-harbour-42"}, from)
	if err != nil || signed == nil || u.ID == 0 {
		t.Fatalf("register: %v %v", signed, err)
	}
	if _, err := svc.SignIn(ctx, account.Credentials{Login: "alice", Password: "wrong-password-1"}, from); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Fatalf("wrong password: %v, want ErrInvalidCredentials", err)
	}
	if _, err := svc.SignIn(ctx, account.Credentials{Login: "nobody", Password: "violet-harbour-42"}, from); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Fatalf("unknown user: %v, want ErrInvalidCredentials", err)
	}
	// By email, in another case: one normalisation for lookup and counting.
	res, err := svc.SignIn(ctx, account.Credentials{Login: "ALICE@example.com", Password: "violet-harbour-42"}, from)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if res.User.ID != u.ID || res.SecondFactor || !res.Principal.IsActive || res.User.LastLogin == nil {
		t.Fatalf("result %+v", res)
	}
}

func TestSignInLimitPerAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newService(t, false)
	if _, _, err := svc.Register(ctx, account.NewAccount{Username: "bob", Email: "bob@example.com", Password: "violet-harbour-42"}, from); err != nil {
		t.Fatal(err)
	}
	for i := range auth.DefaultLimits().LoginAccount.Max {
		if _, err := svc.SignIn(ctx, account.Credentials{Login: "bob", Password: "wrong-password-1"}, from); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	_, err := svc.SignIn(ctx, account.Credentials{Login: "bob", Password: "violet-harbour-42"}, from)
	var rl *account.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Fatalf("after %d failures: %v, want RateLimitedError", auth.DefaultLimits().LoginAccount.Max, err)
	}
}

func TestMandatoryVerification(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newService(t, true)
	signed, u, err := svc.Register(ctx, account.NewAccount{Username: "carol", Email: "carol@example.com", Password: "violet-harbour-42"}, from)
	if err != nil || signed != nil || u == nil {
		t.Fatalf("register with verification: signed=%v err=%v", signed, err)
	}
	_, err = svc.SignIn(ctx, account.Credentials{Login: "carol", Password: "violet-harbour-42"}, from)
	var uv *account.UnverifiedError
	if !errors.As(err, &uv) || uv.User.ID != u.ID {
		t.Fatalf("sign-in: %v, want UnverifiedError", err)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, sess, _ := newService(t, false)
	signed, _, err := svc.Register(ctx, account.NewAccount{Username: "dave", Email: "dave@example.com", Password: "violet-harbour-42"}, from)
	if err != nil {
		t.Fatal(err)
	}
	u := signed.User
	if err := svc.ChangePassword(ctx, u, "not-it-at-all", "amber-lantern-77", "current", from); !errors.Is(err, account.ErrWrongPassword) {
		t.Fatalf("wrong current: %v", err)
	}
	if len(sess.ended[u.ID]) != 0 {
		t.Fatal("a refused change ended sessions")
	}
	if err := svc.ChangePassword(ctx, u, "violet-harbour-42", "amber-lantern-77", "current", from); err != nil {
		t.Fatal(err)
	}
	if got := sess.ended[u.ID]; len(got) != 1 || got[0] != "current" {
		t.Fatalf("sessions ended %v, want all but current", got)
	}
	if _, err := svc.SignIn(ctx, account.Credentials{Login: "dave", Password: "amber-lantern-77"}, from); err != nil {
		t.Fatalf("new password: %v", err)
	}
}

func TestRegisterTakenAndAvailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newService(t, false)
	if _, _, err := svc.Register(ctx, account.NewAccount{Username: "erin", Email: "erin@example.com", Password: "violet-harbour-42"}, from); err != nil {
		t.Fatal(err)
	}
	if err := svc.Available(ctx, "username", "ERIN"); !errors.Is(err, account.ErrUsernameTaken) {
		t.Fatalf("username: %v", err)
	}
	if err := svc.Available(ctx, "email", "Erin@Example.com"); !errors.Is(err, account.ErrEmailTaken) {
		t.Fatalf("email: %v", err)
	}
	if err := svc.Available(ctx, "username", "frank"); err != nil {
		t.Fatalf("free name: %v", err)
	}
	_, _, err := svc.Register(ctx, account.NewAccount{Username: "erin", Email: "other@example.com", Password: "violet-harbour-42"}, from)
	if !errors.Is(err, account.ErrUsernameTaken) {
		t.Fatalf("second erin: %v", err)
	}
}

// An action that happened is recorded even when its request ran out of
// time meanwhile.
func TestRecordOutlivesTheRequest(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t, false)
	_, u, err := svc.Register(context.Background(), account.NewAccount{Username: "gina", Email: "gina@example.com", Password: "violet-harbour-42"}, from)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	svc.Record(ctx, from, "logout", u.ID, u.Username, "after the deadline")
	list, err := svc.AuditLog(context.Background(), account.AuditFilter{Username: "gina", Event: "logout", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Events) != 1 {
		t.Fatalf("%d events recorded, want 1", len(list.Events))
	}
}

// A typed login that names no account may be a password typed into the
// wrong field: the audit log keeps a digest, never the text.
func TestUnknownLoginIsNotRecordedVerbatim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newService(t, false)
	for range 2 {
		if _, err := svc.SignIn(ctx, account.Credentials{Login: "Hunter2-Secret!", Password: "whatever-1234"}, from); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatal(err)
		}
	}
	list, err := svc.AuditLog(ctx, account.AuditFilter{Event: "login_failed", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Events) != 2 {
		t.Fatalf("%d events", len(list.Events))
	}
	a, b := list.Events[0].Login, list.Events[1].Login
	if strings.Contains(strings.ToLower(a), "hunter2") || !strings.HasPrefix(a, "unknown:") || a != b {
		t.Fatalf("recorded logins %q, %q: want the same digest, not the text", a, b)
	}
}
