package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
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
