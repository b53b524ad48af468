package account_test

import (
	"context"
	"slices"
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

// Every sign-in is reported once, under its result.
func TestSignInReportsItsResult(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.OpenDB(t)
	if _, err := models.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	lim := auth.DefaultLimits()
	lim.LoginName = auth.Limit{Max: 2, Window: time.Hour}
	svc := account.New(account.Deps{
		Store: models.Repo{DB: db}, Sessions: &fakeSessions{ended: map[int64][]string{}},
		Limiter: limiter.Limiter{Store: testenv.OpenStore(t, db), Limits: lim},
		Hasher:  auth.NewHasher(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0),
		Letters: mail.Letters{}, Clock: &clock{t: time.Now()}, SecretKey: "account-test-secret-0123456789abcdef",
		BaseURL: "http://gatehouse.test", MandatoryVerification: true,
		OnSignIn: func(r string) { mu.Lock(); got = append(got, r); mu.Unlock() },
	})
	if _, _, err := svc.Register(ctx, account.NewAccount{Username: "erin", Email: "erin@example.com", Password: "violet-harbour-42"}, from); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"violet-harbour-42", "wrong-password-1", "wrong-password-1", "violet-harbour-42"} {
		_, _ = svc.SignIn(ctx, account.Credentials{Login: "erin", Password: pw}, from)
	}
	_, _ = svc.SignIn(ctx, account.Credentials{Login: "nobody", Password: "violet-harbour-42"}, from)
	want := []string{account.SignInUnverified, account.SignInFailure, account.SignInFailure, account.SignInRateLimited, account.SignInFailure}
	if !slices.Equal(got, want) {
		t.Fatalf("reported %v, want %v", got, want)
	}
	for _, r := range got {
		if !slices.Contains(account.SignInResults(), r) {
			t.Errorf("%q is not in SignInResults", r)
		}
	}
}
