// Command gatehouse serves Gatehouse and runs its maintenance commands.
// It only wires things together: configuration, database, session store,
// and the HTTP adapter.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/gatehouse/gatehouse/config"
)

const usage = `usage: gatehouse [command]

commands:
  serve                 migrate the schema if needed, then serve HTTP (default)
  migrate [status]      apply pending migrations, or list them
  createsuperuser --username U --email E
                        create a superuser; the password is read from stdin or
                        GATEHOUSE_SUPERUSER_PASSWORD
  seed --users N [--password P]
                        bulk-create N demo users with groups
`

// exitError carries the process exit code with a one-line reason.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatehouse:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return &exitError{2, fmt.Errorf("config: %w", err)}
	}
	log := newLogger(cfg.LogFormat, stderr)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrateCmd(ctx, cfg, args, stdout)
	case "createsuperuser":
		return createSuperuser(ctx, cfg, args, getenv, stdin, stdout, stderr)
	case "seed":
		return seedCmd(ctx, cfg, args, stdout)
	}
	fmt.Fprint(stderr, usage)
	return &exitError{2, fmt.Errorf("unknown command %q", cmd)}
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
