package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A rules file that does not parse stops serve at start: one line naming
// the file and line, exit code 2.
func TestBadRulesFileExits2(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "rules.yml")
	testenv.Must(t, os.WriteFile(file, []byte("rules:\n  - host: app.example.com\n    require: sometimes\n"), 0o600))
	r := runCmd(t, map[string]string{
		"GATEHOUSE_DATABASE_URL": testenv.DatabaseURL(t), "GATEHOUSE_ADDR": freeAddr(t),
		"GATEHOUSE_ACCESS_RULES": file,
	}, "", "serve")
	if exitCode(r.err) != 2 || !strings.Contains(r.err.Error(), file+":3:") || strings.Contains(r.err.Error(), "\n") {
		t.Fatalf("got %v (code %d)", r.err, exitCode(r.err))
	}
	missing := runCmd(t, map[string]string{
		"GATEHOUSE_DATABASE_URL": testenv.DatabaseURL(t), "GATEHOUSE_ADDR": freeAddr(t),
		"GATEHOUSE_ACCESS_RULES": file + ".gone",
	}, "", "serve")
	if exitCode(missing.err) != 2 || !strings.Contains(missing.err.Error(), file+".gone") {
		t.Fatalf("missing file: %v (code %d)", missing.err, exitCode(missing.err))
	}
}

// SIGHUP reads the rules again; a file that does not parse then keeps
// the rules in use and is logged with its line.
func TestSIGHUPReloadsRules(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "rules.yml")
	write := func(s string) { testenv.Must(t, os.WriteFile(file, []byte(s), 0o600)) }
	write("rules:\n  - host: app.example.com\n    require: public\n")
	addr := freeAddr(t)
	env := map[string]string{
		"GATEHOUSE_DATABASE_URL": testenv.DatabaseURL(t), "GATEHOUSE_ADDR": addr,
		"GATEHOUSE_ACCESS_RULES": file, "GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1/32",
	}
	if testenv.Redis() {
		env["GATEHOUSE_REDIS_URL"] = "redis://127.0.0.1:6379/0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &testenv.SyncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &strings.Builder{}, stderr)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("log:\n%s", stderr.String())
		}
	}()

	status := func() int {
		req, _ := http.NewRequest("GET", "http://"+addr+"/auth/request", nil)
		req.Header.Set("X-Original-URL", "https://app.example.com/")
		req.Header.Set("X-Original-Method", "GET")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// waitFor polls until cond holds; the deadline only stops a hung test.
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("never: %s", what)
			}
		}
	}
	waitFor("public with the first rules", func() bool { return status() == 200 })

	write("rules:\n  - host: app.example.com\n    require: deny\n")
	testenv.Must(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	waitFor("deny after the reload", func() bool { return status() == 403 })

	write("rules:\n  - host: app.example.com\n    require: public\n    colour: blue\n")
	testenv.Must(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	waitFor("the broken file logged", func() bool { return strings.Contains(stderr.String(), "not reloaded") })
	if !strings.Contains(stderr.String(), file+":4:") {
		t.Errorf("the error does not name the file and line:\n%s", stderr.String())
	}
	if s := status(); s != 403 {
		t.Fatalf("after a broken file: %d, want the old rules' 403", s)
	}
}
