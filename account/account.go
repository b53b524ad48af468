// Package account is Gatehouse's application layer: one method per use case
// (register, sign in, change a password, reset it, confirm an address, end
// sessions, the admin edits). Each method owns its transaction, its tokens,
// its mail, the sessions it ends and its audit event. It depends only on
// the ports in ports.go and the rules in auth; it knows nothing of HTTP,
// SQL, Redis or templates.
package account

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// Service runs the use cases.
type Service struct {
	store    Store
	sessions Sessions
	cache    PrincipalCache
	limiter  Limiter
	hasher   *auth.Hasher
	letters  Letters
	mailer   Notifier
	clock    Clock
	log      *slog.Logger
	secret   string
	baseURL  string
	verify   bool
	// private: sign-up and email change never say that an address is taken.
	private  bool
	onSignIn func(result string)
	// access is forward-auth's rules (access.go); nil until UseAccessRules.
	access atomic.Pointer[accessState]
}

// Deps is what a Service is built from.
type Deps struct {
	Store    Store
	Sessions Sessions
	// Cache keeps principals for the session layer; nil: no cache.
	Cache   PrincipalCache
	Limiter Limiter
	Hasher  *auth.Hasher
	Letters Letters
	// Mailer is woken after a commit that queued mail; nil: it only polls.
	Mailer Notifier
	Clock  Clock
	Log    *slog.Logger
	// SecretKey keys the link tokens; rotating it kills outstanding links.
	SecretKey string
	// BaseURL is the site's absolute URL, for links in mails (no slash at the end).
	BaseURL string
	// MandatoryVerification refuses sign-in until the address is confirmed.
	MandatoryVerification bool
	// PreventEnumeration: sign-up and email change never say that an
	// address is taken; its owner gets a mail instead.
	PreventEnumeration bool
	// OnSignIn, when set, is told the result of each sign-in attempt (one
	// of SignInResults), for metrics.
	OnSignIn func(result string)
}

// New builds a Service.
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{
		store: d.Store, sessions: d.Sessions, cache: d.Cache, limiter: d.Limiter, hasher: d.Hasher,
		letters: d.Letters, mailer: d.Mailer, clock: d.Clock, log: d.Log,
		secret: d.SecretKey, baseURL: strings.TrimRight(d.BaseURL, "/"), verify: d.MandatoryVerification,
		private: d.PreventEnumeration, onSignIn: d.OnSignIn,
	}
}

// Client is who a use case runs for: the request's address and browser,
// and the signed-in user acting (0 for a visitor).
type Client struct {
	IP        string
	UserAgent string
	ActorID   int64
}

// Event is one line of the audit log.
type Event struct {
	At        time.Time
	Name      string
	UserID    int64 // 0: none
	ActorID   int64 // 0: none
	Login     string
	IP        string
	UserAgent string
	Detail    string
}

// Record writes an audit event for an action that already happened; a
// failure to record is logged, not returned.
func (s *Service) Record(ctx context.Context, from Client, name string, userID int64, login, detail string) {
	// The action has happened: its record is written even when the request
	// ran out of time meanwhile, within a bound of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), auditTimeout)
	defer cancel()
	s.recordIn(ctx, s.store, from, name, userID, login, detail)
}

// auditTimeout bounds the write of one audit event.
const auditTimeout = 2 * time.Second

func (s *Service) recordIn(ctx context.Context, st Store, from Client, name string, userID int64, login, detail string) {
	e := Event{At: s.clock.Now(), Name: name, UserID: userID, ActorID: from.ActorID,
		Login: login, IP: from.IP, UserAgent: from.UserAgent, Detail: detail}
	if err := st.Audit().Append(ctx, e); err != nil {
		s.log.Error("audit", "event", name, "err", err)
	}
}

// Now is the service's clock, for callers that show times.
func (s *Service) Now() time.Time { return s.clock.Now() }

// link is an absolute URL on this site, for mails.
func (s *Service) link(path string) string { return s.baseURL + path }

// wake tells the mail sender that mail was committed.
func (s *Service) wake() {
	if s.mailer != nil {
		s.mailer.Notify()
	}
}
