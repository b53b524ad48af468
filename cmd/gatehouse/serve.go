package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/kv"
	"github.com/gatehouse/gatehouse/mail"
	"github.com/gatehouse/gatehouse/models"
)

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	start := time.Now()
	db, err := models.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := models.Migrate(ctx, db)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		log.Info("migrated", "applied", applied)
	}
	deps, closeDeps, err := buildDeps(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	defer closeDeps()
	stopMail, err := startMail(ctx, cfg, db, log, &deps)
	if err != nil {
		return err
	}
	defer stopMail()

	srv := gatehouse.Assemble(deps)
	log.Info("serving", "addr", cfg.Addr, "base_url", cfg.BaseURL.String(), "database", dbKind(db),
		"session_store", storeKind(cfg), "mail", mailKind(cfg), "startup_ms", time.Since(start).Milliseconds())
	// Requests in flight finish after SIGTERM; new ones are refused.
	err = srv.App().Listen(cfg.Addr, fiber.ListenConfig{
		GracefulContext:       ctx,
		ShutdownTimeout:       20 * time.Second,
		DisableStartupMessage: true,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// buildDeps opens the session store and the rest of what handlers need.
func buildDeps(ctx context.Context, cfg config.Config, db *bun.DB, log *slog.Logger) (gatehouse.Parts, func(), error) {
	proxies, err := auth.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return gatehouse.Parts{}, nil, fmt.Errorf("GATEHOUSE_TRUSTED_PROXIES: %w", err)
	}
	secret := cfg.SecretKey
	if secret == "" {
		secret, err = models.Settings{DB: db}.GetOrCreate(ctx, "secret_key", func() string { return auth.RandomToken(32) })
		if err != nil {
			return gatehouse.Parts{}, nil, err
		}
	}
	var store kv.Store
	closeStore := func() {}
	if cfg.RedisURL != "" {
		r, err := kv.NewRedis(cfg.RedisURL, "gatehouse:")
		if err != nil {
			return gatehouse.Parts{}, nil, err
		}
		store, closeStore = r, func() { r.Close() }
	} else {
		sqlStore := &models.KV{DB: db}
		store = sqlStore
		stop := make(chan struct{})
		go expireLoop(sqlStore, log, stop)
		closeStore = func() { close(stop) }
	}
	hasher := auth.NewHasher(auth.Params{
		Memory: cfg.ArgonMemoryKiB, Time: cfg.ArgonTime, Threads: cfg.ArgonThreads,
		SaltLen: auth.DefaultParams().SaltLen, KeyLen: auth.DefaultParams().KeyLen,
	}, runtime.NumCPU())
	return gatehouse.Parts{
		Config: cfg, DB: db, Store: store, Hasher: hasher, Proxies: proxies, Log: log, SecretKey: secret,
	}, closeStore, nil
}

// startMail runs the outbox sender (and the expiry of old link tokens) in
// the background; the returned function stops it after the HTTP server,
// letting a batch already handed to the SMTP server be recorded.
func startMail(ctx context.Context, cfg config.Config, db *bun.DB, log *slog.Logger, deps *gatehouse.Parts) (func(), error) {
	transport, err := mail.FromConfig(cfg, log)
	if err != nil {
		return nil, err
	}
	sender := mail.NewSender(db, transport, mail.Options{Log: log})
	deps.Mailer = sender
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{}, 2)
	go func() { sender.Run(bg); done <- struct{}{} }()
	go func() { tokenExpiryLoop(bg, db, log); done <- struct{}{} }()
	return func() { cancel(); <-done; <-done }, nil
}

// tokenExpiryLoop deletes link tokens a day after they expired (used ones
// too: used_at kept them dead meanwhile).
func tokenExpiryLoop(ctx context.Context, db *bun.DB, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := models.Tokens{DB: db}.DeleteExpired(ctx, time.Now().Add(-24*time.Hour))
			if err != nil {
				log.Warn("expire tokens", "err", err)
			} else if n > 0 {
				log.Debug("expired tokens", "rows", n)
			}
		}
	}
}

func mailKind(cfg config.Config) string {
	if cfg.SMTPURL == nil {
		return "log"
	}
	return cfg.SMTPURL.Scheme + "://" + cfg.SMTPURL.Host
}

// expireLoop removes expired sessions and counters from the embedded store.
func expireLoop(s *models.KV, log *slog.Logger, stop <-chan struct{}) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if n, err := s.DeleteExpired(ctx); err != nil {
				log.Warn("expire sessions", "err", err)
			} else if n > 0 {
				log.Debug("expired sessions", "rows", n)
			}
			cancel()
		}
	}
}

func dbKind(db *bun.DB) string {
	if models.IsPostgres(db) {
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
