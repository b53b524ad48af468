package gatehouse

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/handlers"
	"github.com/gatehouse/gatehouse/kv"
	"github.com/gatehouse/gatehouse/limiter"
	"github.com/gatehouse/gatehouse/mail"
	"github.com/gatehouse/gatehouse/metrics"
	"github.com/gatehouse/gatehouse/models"
	"github.com/gatehouse/gatehouse/sessions"
)

// Parts are the opened backends a Gatehouse is assembled from. New opens
// them from the configuration; tests bring their own.
type Parts struct {
	Config  config.Config
	DB      *bun.DB
	Store   kv.Store
	Hasher  *auth.Hasher
	Proxies *auth.TrustedProxies
	Log     *slog.Logger
	// Now is the one clock (time.Now when nil); tests move it.
	Now func() time.Time
	// SecretKey keys tokens and handles; rotating it kills outstanding links.
	SecretKey string
	// Mailer is woken after a commit that queued mail; nil: it only polls.
	Mailer interface{ Notify() }
	// Metrics counts what happens (NewMetrics); nil counts nothing.
	Metrics *metrics.Metrics
}

type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

// Assemble wires the application layer and the HTTP layer over p.
func Assemble(p Parts) *handlers.Server {
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Log == nil {
		p.Log = slog.Default()
	}
	sess := sessions.New(sessions.Config{
		Store: sessionStore(p.Store), Now: p.Now, SecureCookie: p.Config.SecureCookies(),
		CookieDomain: p.Config.CookieDomain, Starts: handlers.StartsSession, Log: p.Log,
	})
	var notifier account.Notifier
	if p.Mailer != nil {
		notifier = p.Mailer
	}
	lim := limiter.Limiter{Store: p.Store, Limits: p.Config.Limits}
	var onSignIn func(string)
	var observer handlers.Metrics
	if m := p.Metrics; m != nil {
		p.Hasher.OnWait(m.HashWait)
		lim.OnRefused = m.RateLimitRefused
		onSignIn = m.SignIn
		observer = m
	}
	svc := account.New(account.Deps{
		Store: models.Repo{DB: p.DB}, Sessions: sess, Cache: sess, Limiter: lim, OnSignIn: onSignIn,
		Hasher: p.Hasher, Letters: mail.Letters{}, Mailer: notifier, Clock: clockFunc(p.Now), Log: p.Log,
		SecretKey: p.SecretKey, BaseURL: p.Config.BaseURL.String(),
		MandatoryVerification: p.Config.MandatoryVerification(),
		PreventEnumeration:    p.Config.PreventEnumeration,
	})
	db, store := p.DB, p.Store
	return handlers.New(handlers.Deps{
		Config: p.Config, Account: svc, Sessions: sess, Store: p.Store, Proxies: p.Proxies,
		Log: p.Log, Now: p.Now, SecretKey: p.SecretKey, Metrics: observer,
		Ready: []handlers.Check{
			{Name: "database", Ping: func(ctx context.Context) error { return db.PingContext(ctx) }},
			{Name: "session store", Ping: store.Ping},
		},
	})
}

// NewMetrics builds the metrics of a Gatehouse over db: its outbox gauge
// counts db's pending mail at scrape time.
func NewMetrics(db *bun.DB, log *slog.Logger) *metrics.Metrics {
	return metrics.New(metrics.Options{
		OutboxPending: models.Outbox{DB: db}.Pending,
		SignInResults: account.SignInResults(),
		Limits:        auth.LimitNames(),
		Backends:      []string{"database", "session store"},
		Log:           log,
	})
}

// sessionStore is the store with the session reads both implementations
// (kv.Redis, models.KV) provide.
func sessionStore(s kv.Store) sessions.Store {
	ss, ok := s.(sessions.Store)
	if !ok {
		panic(fmt.Sprintf("gatehouse: session store %T cannot read a session with its principal", s))
	}
	return ss
}
