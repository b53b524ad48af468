package handlers_test

import (
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	gatehouse "github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/kv"
)

// /readyz names the failed backend and nothing else: no address, no error
// text (CONTRACT §13); the log has the details.
func TestReadyzNamesTheBackendOnly(t *testing.T) {
	t.Parallel()
	deadDB := bun.NewDB(mustOpenPgx(t, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=1"), pgdialect.New())
	deadRedis, err := kv.NewRedis("redis://127.0.0.1:1/0", "x:")
	testenv.Must(t, err)
	for _, tc := range []struct {
		want string
		deps func(*gatehouse.Parts)
	}{
		{"database\n", func(d *gatehouse.Parts) { d.DB = deadDB }},
		{"session store\n", func(d *gatehouse.Parts) { d.Store = deadRedis }},
	} {
		env := testenv.New(t, testenv.Options{Deps: tc.deps})
		r := env.Client(t).Get("/readyz")
		if r.StatusCode != 503 || r.Body != tc.want {
			t.Errorf("readyz: %d %q, want 503 %q", r.StatusCode, r.Body, tc.want)
		}
		if !strings.Contains(env.Logs(), "readiness check failed") || !strings.Contains(env.Logs(), "127.0.0.1:1") {
			t.Errorf("the log lacks the details:\n%s", env.Logs())
		}
	}
}
