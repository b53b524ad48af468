package account_test

import (
	"context"
	"testing"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/limiter"
	"github.com/gatehouse/gatehouse/mail"
	"github.com/gatehouse/gatehouse/models"
)

// deadlineAtRelease is a limiter whose reservations see the request's
// context end just as they are released: the moment a password check that
// finished near the deadline gives its counts back.
type deadlineAtRelease struct {
	limiter.Limiter
	cancel  context.CancelFunc
	sawDone bool
}

func (l *deadlineAtRelease) Login(ctx context.Context, ip, name string, uid int64) (account.Reservation, error) {
	r, err := l.Limiter.Login(ctx, ip, name, uid)
	if err != nil {
		return nil, err
	}
	return &releaseWatch{Reservation: r, l: l}, nil
}

type releaseWatch struct {
	account.Reservation
	l *deadlineAtRelease
}

func (r *releaseWatch) Release(ctx context.Context) error {
	r.l.cancel()
	r.l.sawDone = ctx.Err() != nil
	return r.Reservation.Release(ctx)
}

// A right password is given back to the limits even when the request's
// context ends during the release: a leaked count would lock the account
// out after fewer real failures than its limit.
func TestSignInReleasesPastTheDeadline(t *testing.T) {
	t.Parallel()
	db := testenv.OpenDB(t)
	if _, err := models.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	lim := &deadlineAtRelease{Limiter: limiter.Limiter{Store: testenv.OpenStore(t, db)}}
	svc := account.New(account.Deps{
		Store: models.Repo{DB: db}, Sessions: &fakeSessions{ended: map[int64][]string{}}, Limiter: lim,
		Hasher:  auth.NewHasher(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0),
		Letters: mail.Letters{}, Clock: &clock{}, SecretKey: "account-test-secret-0123456789abcdef",
		BaseURL: "http://gatehouse.test",
	})
	if _, _, err := svc.Register(context.Background(), account.NewAccount{Username: "hana", Email: "hana@example.com", Password: "violet-harbour-42"}, from); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	lim.cancel = cancel
	_, _ = svc.SignIn(ctx, account.Credentials{Login: "hana", Password: "violet-harbour-42"}, from)
	if lim.sawDone {
		t.Fatal("the reservation was released on the request's ended context: its counts stay")
	}
}
