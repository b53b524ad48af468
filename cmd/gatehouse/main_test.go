package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

type result struct {
	err            error
	stdout, stderr string
}

func runCmd(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	return runCmdCtx(context.Background(), t, env, stdin, args...)
}

func runCmdCtx(ctx context.Context, t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
	return result{err, out.String(), errb.String()}
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err != nil {
		return 1
	}
	return 0
}

func TestBadConfigExits2NamingTheVariable(t *testing.T) {
	t.Parallel()
	r := runCmd(t, map[string]string{"GATEHOUSE_DATABASE_URL": "mysql://x"}, "", "migrate")
	if exitCode(r.err) != 2 || !strings.Contains(r.err.Error(), "GATEHOUSE_DATABASE_URL") {
		t.Fatalf("got %v (code %d)", r.err, exitCode(r.err))
	}
	if r := runCmd(t, nil, "", "frobnicate"); exitCode(r.err) != 2 {
		t.Fatalf("unknown command: %v", r.err)
	}
}

func TestMigrateAndStatus(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GATEHOUSE_DATABASE_URL": testenv.DatabaseURL(t)}
	r := runCmd(t, env, "", "migrate", "status")
	if r.err != nil || !strings.Contains(r.stdout, "pending") {
		t.Fatalf("status before: %v\n%s", r.err, r.stdout)
	}
	r = runCmd(t, env, "", "migrate")
	if r.err != nil || !strings.Contains(r.stdout, "applied") {
		t.Fatalf("migrate: %v\n%s", r.err, r.stdout)
	}
	r = runCmd(t, env, "", "migrate")
	if r.err != nil || !strings.Contains(r.stdout, "nothing to migrate") {
		t.Fatalf("migrate again: %v\n%s", r.err, r.stdout)
	}
	r = runCmd(t, env, "", "migrate", "status")
	if r.err != nil || strings.Contains(r.stdout, "pending") || !strings.Contains(r.stdout, "applied") {
		t.Fatalf("status after: %v\n%s", r.err, r.stdout)
	}
}

func TestCreateSuperuser(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t)
	env := map[string]string{"GATEHOUSE_DATABASE_URL": dbURL, "GATEHOUSE_ARGON2_MEMORY": "1024", "GATEHOUSE_ARGON2_TIME": "1"}
	r := runCmd(t, env, "violet ostrich mountain\n", "createsuperuser", "--username", "admin", "--email", "admin@example.com")
	if r.err != nil {
		t.Fatalf("create: %v", r.err)
	}
	db, err := models.Open(context.Background(), dbURL)
	testenv.Must(t, err)
	defer db.Close()
	u, err := models.Users{DB: db}.ByLogin(context.Background(), "admin", "")
	if err != nil || !u.IsSuperuser || !u.IsStaff || !u.IsActive {
		t.Fatalf("superuser: %+v %v", u, err)
	}
	for _, tc := range []struct {
		name, stdin string
		env         map[string]string
		args        []string
		want        string
	}{
		{"taken", "another long passphrase\n", nil, []string{"--username", "ADMIN", "--email", "b@example.com"}, "taken"},
		{"weak", "password\n", nil, []string{"--username", "other", "--email", "c@example.com"}, "too common"},
		{"empty", "", nil, []string{"--username", "other", "--email", "c@example.com"}, "no password"},
		{"bad name", "violet ostrich mountain\n", nil, []string{"--username", "bad name", "--email", "c@example.com"}, "username"},
	} {
		e := map[string]string{}
		for k, v := range env {
			e[k] = v
		}
		r := runCmd(t, e, tc.stdin, append([]string{"createsuperuser"}, tc.args...)...)
		if exitCode(r.err) == 0 || !strings.Contains(r.err.Error(), tc.want) || strings.Contains(r.err.Error(), "\n") {
			t.Errorf("%s: got %v, want a one-line reason with %q", tc.name, r.err, tc.want)
		}
	}
	env["GATEHOUSE_SUPERUSER_PASSWORD"] = "password from the environment"
	if r := runCmd(t, env, "", "createsuperuser", "--username", "envadmin", "--email", "env@example.com"); r.err != nil {
		t.Fatalf("password from env: %v", r.err)
	}
}

func TestSeedSmall(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t)
	env := map[string]string{"GATEHOUSE_DATABASE_URL": dbURL, "GATEHOUSE_ARGON2_MEMORY": "1024", "GATEHOUSE_ARGON2_TIME": "1"}
	r := runCmd(t, env, "", "seed", "--users", "250")
	if r.err != nil || !strings.Contains(r.stdout, "user000001") {
		t.Fatalf("seed: %v\n%s", r.err, r.stdout)
	}
	if r := runCmd(t, env, "", "seed", "--users", "0"); exitCode(r.err) != 2 {
		t.Fatalf("seed 0: %v", r.err)
	}
	db, err := models.Open(context.Background(), dbURL)
	testenv.Must(t, err)
	defer db.Close()
	n, err := models.Users{DB: db}.Count(context.Background())
	if err != nil || n != 250 {
		t.Fatalf("seeded %d users, %v", n, err)
	}
	u, err := models.Users{DB: db}.ByLogin(context.Background(), "user000250", "")
	if err != nil || u.Email != "user000250@example.test" {
		t.Fatalf("user000250: %+v %v", u, err)
	}
}

// The README's createsuperuser example works as written.
func TestReadmeSuperuserExample(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	testenv.Must(t, err)
	m := regexp.MustCompile(`echo '([^']+)' \| go run ./cmd/gatehouse (createsuperuser .*)`).FindStringSubmatch(string(readme))
	if m == nil {
		t.Fatal("README has no createsuperuser example")
	}
	env := map[string]string{"GATEHOUSE_DATABASE_URL": testenv.DatabaseURL(t), "GATEHOUSE_ARGON2_MEMORY": "1024", "GATEHOUSE_ARGON2_TIME": "1"}
	if r := runCmd(t, env, m[1]+"\n", strings.Fields(m[2])...); r.err != nil {
		t.Fatalf("README example fails: %v", r.err)
	}
}
