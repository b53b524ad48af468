package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/config"
)

// serve runs Gatehouse alone: the root package's New, its App, and a
// graceful shutdown on SIGTERM.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	start := time.Now()
	g, err := gatehouse.New(ctx, cfg, gatehouse.WithLogger(log))
	var rulesErr *config.RulesError
	if errors.As(err, &rulesErr) {
		return &exitError{2, rulesErr}
	}
	if err != nil {
		return err
	}
	// Closed after the HTTP server stops: the mail sender records a batch
	// already handed to the SMTP server.
	defer func() {
		if err := g.Close(); err != nil {
			log.Warn("close", "err", err)
		}
	}()

	log.Info("serving", "addr", cfg.Addr, "base_url", cfg.BaseURL.String(), "database", dbKind(cfg),
		"session_store", storeKind(cfg), "mail", mailKind(cfg), "metrics", g.MetricsAddr(),
		"startup_ms", time.Since(start).Milliseconds())
	// Requests in flight finish after SIGTERM; new ones are refused. One
	// client address holds at most gatehouse.MaxConnsPerAddr connections.
	// Fiber's GracefulContext returns from Listen as soon as the listener
	// closes, before the requests in flight are answered: shut down here and
	// wait, so the database and store close only after them.
	// SIGHUP reads the access rules again; a bad file keeps the old ones.
	stopReload := reloadOnHangup(g)
	defer stopReload()
	errc := make(chan error, 1)
	go func() { errc <- g.Listen(cfg.Addr, fiber.ListenConfig{DisableStartupMessage: true}) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	if err := g.App().ShutdownWithTimeout(20 * time.Second); err != nil {
		log.Warn("shutdown", "err", err)
	}
	if err := <-errc; err != nil {
		log.Warn("listener", "err", err)
	}
	log.Info("stopped")
	return nil
}

func mailKind(cfg config.Config) string {
	if cfg.SMTPURL == nil {
		return "log"
	}
	return cfg.SMTPURL.Scheme + "://" + cfg.SMTPURL.Host
}

func dbKind(cfg config.Config) string {
	if strings.HasPrefix(cfg.DatabaseURL, "postgres") {
		return "postgres"
	}
	return "sqlite"
}

func storeKind(cfg config.Config) string {
	if cfg.RedisURL != "" {
		return "redis"
	}
	return "database"
}

// reloadOnHangup reads the access rules again on each SIGHUP until the
// returned function is called; that waits for a reload in progress, so
// none runs after Gatehouse is closed.
func reloadOnHangup(g *gatehouse.Gatehouse) func() {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-hup:
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_ = g.ReloadRules(ctx) // logged there
				cancel()
			}
		}
	}()
	return func() {
		signal.Stop(hup)
		close(done)
		<-finished
	}
}
