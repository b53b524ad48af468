package gatehouse_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

// New reads the rules file and registers its perm: codes; ReloadRules
// reads it again, registering new codes, and keeps the rules in use when
// the file no longer parses. A code an app registered keeps its name.
func TestReloadRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "rules.yml")
	write := func(s string) { testenv.Must(t, os.WriteFile(file, []byte(s), 0o600)) }
	write("rules:\n  - host: app.example.com\n    path: /mod/*\n    require: perm:notes.moderate\n  - host: app.example.com\n    require: perm:app.read\n")
	cfg, prefix := testenv.AppConfig(t, map[string]string{"GATEHOUSE_ACCESS_RULES": file, "GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1/32"})
	g, err := gatehouse.New(ctx, cfg, gatehouse.WithLogger(testenv.Logger(t)), gatehouse.WithKeyPrefix(prefix), gatehouse.WithPerms(moderate))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	env := start(t, g)
	perms := func() map[string]string {
		all, err := models.Perms{DB: g.DB()}.All(ctx)
		testenv.Must(t, err)
		out := map[string]string{}
		for _, p := range all {
			out[p.Code] = p.Name
		}
		return out
	}
	if p := perms(); p["app.read"] == "" || p["notes.moderate"] != moderate.Name {
		t.Fatalf("after New: %v", p)
	}
	status := func() int {
		r := env.Client(t).Get("/auth/request", "X-Original-URL", "https://app.example.com/x", "X-Original-Method", "GET")
		return r.StatusCode
	}
	if s := status(); s != http.StatusUnauthorized {
		t.Fatalf("first rules: %d", s)
	}
	// A superuser's Remote-Permissions lists every code, also one a
	// program registers after New.
	testenv.Must(t, g.RegisterPerms(ctx, gatehouse.Perm{Code: "late.code", Name: "Registered late"}))
	env.CreateUser(t, "root", "root@example.com", "a long secret phrase", testenv.Superuser)
	root := env.Client(t)
	root.Login("root", "a long secret phrase")
	r := root.Get("/auth/request", "X-Original-URL", "https://app.example.com/x", "X-Original-Method", "GET")
	if got := strings.Split(r.Header.Get("Remote-Permissions"), ","); r.StatusCode != http.StatusOK ||
		!slices.Contains(got, "late.code") || !slices.Contains(got, "app.read") || !slices.Contains(got, "users.view") {
		t.Fatalf("superuser: %d %q", r.StatusCode, r.Header.Get("Remote-Permissions"))
	}

	write("rules:\n  - host: app.example.com\n    require: perm:app.write\n  - host: pub.example.com\n    require: public\n")
	testenv.Must(t, g.ReloadRules(ctx))
	if p := perms(); p["app.write"] == "" {
		t.Fatalf("after reload: %v", p)
	}
	if r := env.Client(t).Get("/auth/request", "X-Original-URL", "https://pub.example.com/", "X-Original-Method", "GET"); r.StatusCode != http.StatusOK {
		t.Fatalf("new rule: %d", r.StatusCode)
	}

	write("rules:\n  - host: pub.example.com\n    require: nobody\n")
	if err := g.ReloadRules(ctx); err == nil || !strings.Contains(err.Error(), file+":3:") {
		t.Fatal("a broken file reloaded without an error")
	}
	if r := env.Client(t).Get("/auth/request", "X-Original-URL", "https://pub.example.com/", "X-Original-Method", "GET"); r.StatusCode != http.StatusOK {
		t.Fatalf("the old rules were not kept: %d", r.StatusCode)
	}
}

// A rules file that does not parse is a configuration error of New.
func TestNewRefusesBadRules(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "rules.yml")
	testenv.Must(t, os.WriteFile(file, []byte("rules:\n  - host: a.example.com\n    require: maybe\n"), 0o600))
	cfg, _ := testenv.AppConfig(t, map[string]string{"GATEHOUSE_ACCESS_RULES": file})
	if _, err := gatehouse.New(context.Background(), cfg, gatehouse.WithLogger(testenv.Logger(t))); err == nil {
		t.Fatal("New accepted a broken rules file")
	}
}
