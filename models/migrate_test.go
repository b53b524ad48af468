package models_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

func TestMigrateTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.OpenDB(t)
	first, err := models.Migrate(ctx, db)
	if err != nil || len(first) == 0 {
		t.Fatalf("first migrate: %v %v", first, err)
	}
	second, err := models.Migrate(ctx, db)
	if err != nil || len(second) != 0 {
		t.Fatalf("second migrate applied %v, err %v", second, err)
	}
	st, err := models.MigrationsStatus(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range st {
		if !m.Applied {
			t.Errorf("%s not applied", m.Name)
		}
	}
	perms, err := models.Perms{DB: db}.Codes(ctx)
	if err != nil || len(perms) < 6 {
		t.Fatalf("built-in permissions: %v %v", perms, err)
	}
}

// Several instances starting at once take turns; none fails.
func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.OpenDB(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := models.Migrate(ctx, db)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestUniqueRegardlessOfCase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.OpenDB(t)
	if _, err := models.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	users := models.Users{DB: db}
	mk := func(name, email string) *models.User {
		return &models.User{Username: name, UsernameKey: lower(name), Email: email, EmailKey: lower(email), PasswordHash: "x", IsActive: true}
	}
	testenv.Must(t, users.Create(ctx, mk("Zoe", "zoe@example.com")))
	if err := users.Create(ctx, mk("ZOE", "other@example.com")); !errors.Is(err, models.ErrUsernameTaken) {
		t.Fatalf("same name other case: %v", err)
	}
	if err := users.Create(ctx, mk("zoe2", "ZOE@example.com")); !errors.Is(err, models.ErrEmailTaken) {
		t.Fatalf("same email other case: %v", err)
	}
	u, err := users.ByLogin(ctx, "zoe", "zoe")
	if err != nil || u.Username != "Zoe" {
		t.Fatalf("by login: %v %v", u, err)
	}
	if _, err := users.ByID(ctx, 987654); !models.IsNotFound(err) {
		t.Fatalf("missing id: %v", err)
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
