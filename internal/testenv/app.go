package testenv

import (
	"log/slog"
	"os"
	"testing"

	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/kv"
)

// AppConfig is a configuration for a Gatehouse that a test builds with
// gatehouse.New, as a Go program would: a fresh database (DatabaseURL),
// Redis when GATEHOUSE_TEST_REDIS_URL is set, cheap hashing and a fixed
// secret key; env overrides GATEHOUSE_* variables. prefix is a Redis key
// prefix of t's own (pass it as gatehouse.WithKeyPrefix); its keys are
// removed when t ends.
func AppConfig(t testing.TB, env map[string]string) (cfg config.Config, prefix string) {
	t.Helper()
	vars := map[string]string{
		"GATEHOUSE_ADDR":           "127.0.0.1:0",
		"GATEHOUSE_DATABASE_URL":   DatabaseURL(t),
		"GATEHOUSE_SECRET_KEY":     "test-secret-key-0123456789abcdefghijklmnop",
		"GATEHOUSE_ARGON2_MEMORY":  "1024",
		"GATEHOUSE_ARGON2_TIME":    "1",
		"GATEHOUSE_ARGON2_THREADS": "1",
	}
	prefix = "gatehouse-test:" + randomHex(6) + ":"
	if u := os.Getenv("GATEHOUSE_TEST_REDIS_URL"); u != "" {
		vars["GATEHOUSE_REDIS_URL"] = u
		r, err := kv.NewRedis(u, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = r.Reset()
			_ = r.Close()
		})
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.FromEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg, prefix
}

// Logger is a logger whose lines show with t's output when t fails.
func Logger(t testing.TB) *slog.Logger {
	logs := &SyncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
