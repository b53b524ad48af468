package gatehouse_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

// openSQLite starts Gatehouse with New on the SQLite file db and no
// GATEHOUSE_SECRET_KEY; the caller closes it.
func openSQLite(t *testing.T, db string) *gatehouse.Gatehouse {
	t.Helper()
	cfg, prefix := testenv.AppConfig(t, map[string]string{"GATEHOUSE_DATABASE_URL": "sqlite://" + db, "GATEHOUSE_SECRET_KEY": ""})
	g, err := gatehouse.New(context.Background(), cfg, gatehouse.WithLogger(testenv.Logger(t)), gatehouse.WithKeyPrefix(prefix))
	if err != nil {
		t.Fatalf("gatehouse.New: %v", err)
	}
	return g
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

func readKey(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("secret key file: %v", err)
	}
	return strings.TrimSpace(string(b))
}

func secretRows(t *testing.T, g *gatehouse.Gatehouse) int64 {
	t.Helper()
	n, err := g.DB().NewSelect().Table("settings").Where("k = ?", "secret_key").Count(context.Background())
	testenv.Must(t, err)
	return n
}

// Finding 10: the database files are the owner's only, and the generated
// key is in a 0600 file beside the database, not in it; a restart keeps it.
func TestSQLiteFilesPrivateAndSecretKeyBeside(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "gatehouse.db")
	g := openSQLite(t, db)
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		if m := mode(t, f); m != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(f), m)
		}
	}
	keyFile := gatehouse.SecretKeyFile("sqlite://" + db)
	if keyFile != db+".secret" {
		t.Fatalf("SecretKeyFile = %q, want %q", keyFile, db+".secret")
	}
	if m := mode(t, keyFile); m != 0o600 {
		t.Errorf("secret key file: mode %o, want 600", m)
	}
	key := readKey(t, keyFile)
	if len(key) < 32 {
		t.Errorf("secret key %q: shorter than 32 characters", key)
	}
	if n := secretRows(t, g); n != 0 {
		t.Errorf("settings has %d secret_key rows, want none", n)
	}
	testenv.Must(t, g.Close())

	g = openSQLite(t, db)
	defer g.Close()
	if again := readKey(t, keyFile); again != key {
		t.Errorf("restart changed the key: %q, then %q", key, again)
	}
	if n := secretRows(t, g); n != 0 {
		t.Errorf("after restart settings has %d secret_key rows, want none", n)
	}
}

// A database whose key is in its settings row (as earlier versions kept
// it) has it moved to the file on start, so links already mailed keep
// working, and the row deleted.
func TestSQLiteSecretKeyMovesOutOfDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "gatehouse.db")
	old := "legacy-key-from-the-settings-table-0123456789"
	sq, err := models.Open(ctx, "sqlite://"+db)
	testenv.Must(t, err)
	_, err = models.Migrate(ctx, sq)
	testenv.Must(t, err)
	_, err = sq.ExecContext(ctx, "INSERT INTO settings (k, v) VALUES ('secret_key', ?)", old)
	testenv.Must(t, err)
	testenv.Must(t, sq.Close())

	g := openSQLite(t, db)
	defer g.Close()
	keyFile := db + ".secret"
	if got := readKey(t, keyFile); got != old {
		t.Errorf("key file holds %q, want the key from the database %q", got, old)
	}
	if m := mode(t, keyFile); m != 0o600 {
		t.Errorf("secret key file: mode %o, want 600", m)
	}
	if n := secretRows(t, g); n != 0 {
		t.Errorf("settings still has %d secret_key rows", n)
	}
}

// On PostgreSQL the generated key stays in the database, shared by the
// instances; no file is written.
func TestPostgresSecretKeyInDatabase(t *testing.T) {
	t.Parallel()
	if !testenv.Postgres() {
		t.Skip("needs GATEHOUSE_TEST_DATABASE_URL")
	}
	cfg, prefix := testenv.AppConfig(t, map[string]string{"GATEHOUSE_SECRET_KEY": ""})
	g, err := gatehouse.New(context.Background(), cfg, gatehouse.WithLogger(testenv.Logger(t)), gatehouse.WithKeyPrefix(prefix))
	testenv.Must(t, err)
	defer g.Close()
	if n := secretRows(t, g); n != 1 {
		t.Errorf("settings has %d secret_key rows, want 1", n)
	}
	if f := gatehouse.SecretKeyFile(cfg.DatabaseURL); f != "" {
		t.Errorf("SecretKeyFile on PostgreSQL = %q, want none", f)
	}
}
