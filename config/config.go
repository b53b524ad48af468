// Package config reads Gatehouse's configuration from GATEHOUSE_* environment
// variables. Every variable has a default that works on a laptop; a bad value
// is reported with the variable's name so the operator knows what to fix.
package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/auth"
)

// Config is the whole runtime configuration.
type Config struct {
	Addr              string
	BaseURL           *url.URL
	DatabaseURL       string
	RedisURL          string
	SecretKey         string
	SMTPURL           *url.URL
	LogFormat         string
	TrustedProxies    string
	EmailVerification string // "optional" or "mandatory"
	// PreventEnumeration: sign-up and email change never say an address is
	// taken; its owner gets a mail instead.
	PreventEnumeration bool
	// RateLimits overrides the default limits, e.g. "login_ip=50/15m"
	// (parsed and checked by auth.ParseRateLimits).
	RateLimits string
	// Limits are the rate limits in force: the defaults with RateLimits applied.
	Limits auth.Limits
	// CookieDomain, when set, makes the session cookie reach every
	// subdomain of it (forward-auth); empty means host-only cookies.
	CookieDomain string
	// AccessRules is the path of the forward-auth rules file; empty turns
	// forward-auth off (its routes answer 404).
	AccessRules string
	// MetricsAddr is where /metrics listens; empty means no metrics.
	MetricsAddr string

	// Argon2id parameters; defaults follow OWASP's minimum (19 MiB, 2 passes).
	ArgonMemoryKiB uint32
	ArgonTime      uint32
	ArgonThreads   uint8
}

// Error names the variable whose value was refused.
type Error struct {
	Var, Value, Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s=%q: %s", e.Var, e.Value, e.Reason)
}

// SecureCookies reports whether cookies must carry the Secure attribute.
func (c Config) SecureCookies() bool { return c.BaseURL.Scheme == "https" }

// MandatoryVerification reports whether an unverified address blocks sign-in.
func (c Config) MandatoryVerification() bool { return c.EmailVerification == "mandatory" }

// FromEnv builds a Config; getenv is os.Getenv in production and a map in tests.
func FromEnv(getenv func(string) string) (Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Addr:              get("GATEHOUSE_ADDR", ":8080"),
		DatabaseURL:       get("GATEHOUSE_DATABASE_URL", "sqlite://gatehouse.db"),
		RedisURL:          get("GATEHOUSE_REDIS_URL", ""),
		SecretKey:         get("GATEHOUSE_SECRET_KEY", ""),
		LogFormat:         get("GATEHOUSE_LOG_FORMAT", "text"),
		TrustedProxies:    get("GATEHOUSE_TRUSTED_PROXIES", ""),
		EmailVerification: get("GATEHOUSE_EMAIL_VERIFICATION", "optional"),
		RateLimits:        get("GATEHOUSE_RATE_LIMITS", ""),
		CookieDomain:      strings.ToLower(strings.TrimPrefix(get("GATEHOUSE_COOKIE_DOMAIN", ""), ".")),
		AccessRules:       get("GATEHOUSE_ACCESS_RULES", ""),
		MetricsAddr:       get("GATEHOUSE_METRICS_ADDR", ""),
	}

	if _, port, err := net.SplitHostPort(c.Addr); err != nil || !validPort(port) {
		return c, &Error{"GATEHOUSE_ADDR", c.Addr, "want host:port, e.g. :8080"}
	}

	base := get("GATEHOUSE_BASE_URL", "http://localhost:8080")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, &Error{"GATEHOUSE_BASE_URL", base, "want an http:// or https:// URL"}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	c.BaseURL = u

	if err := checkDatabaseURL(c.DatabaseURL); err != nil {
		return c, &Error{"GATEHOUSE_DATABASE_URL", c.DatabaseURL, err.Error()}
	}
	if c.RedisURL != "" {
		r, err := url.Parse(c.RedisURL)
		if err != nil || (r.Scheme != "redis" && r.Scheme != "rediss") || r.Host == "" {
			return c, &Error{"GATEHOUSE_REDIS_URL", c.RedisURL, "want redis://host:port/db or rediss://…"}
		}
	}
	if c.CookieDomain != "" && !cookieDomainCovers(c.CookieDomain, c.BaseURL.Hostname()) {
		return c, &Error{"GATEHOUSE_COOKIE_DOMAIN", c.CookieDomain, "want a domain that contains the base URL's host, e.g. example.com for auth.example.com"}
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || !validPort(port) || port == "0" {
			return c, &Error{"GATEHOUSE_METRICS_ADDR", c.MetricsAddr, "want host:port, e.g. 127.0.0.1:9100"}
		}
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		return c, &Error{"GATEHOUSE_SECRET_KEY", "…", "use at least 32 characters"}
	}
	if s := get("GATEHOUSE_SMTP_URL", ""); s != "" {
		m, err := url.Parse(s)
		if err != nil || (m.Scheme != "smtp" && m.Scheme != "smtps") || m.Hostname() == "" || !validPort(m.Port()) {
			return c, &Error{"GATEHOUSE_SMTP_URL", s, "want smtp://user:pass@host:port"}
		}
		c.SMTPURL = m
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, &Error{"GATEHOUSE_LOG_FORMAT", c.LogFormat, "want text or json"}
	}
	if err := checkCIDRs(c.TrustedProxies); err != nil {
		return c, &Error{"GATEHOUSE_TRUSTED_PROXIES", c.TrustedProxies, err.Error()}
	}
	switch v := get("GATEHOUSE_PREVENT_ENUMERATION", "off"); v {
	case "on":
		c.PreventEnumeration = true
	case "off":
	default:
		return c, &Error{"GATEHOUSE_PREVENT_ENUMERATION", v, "want on or off"}
	}
	if c.Limits, err = auth.ParseRateLimits(c.RateLimits); err != nil {
		return c, &Error{"GATEHOUSE_RATE_LIMITS", c.RateLimits, err.Error()}
	}
	if c.EmailVerification != "optional" && c.EmailVerification != "mandatory" {
		return c, &Error{"GATEHOUSE_EMAIL_VERIFICATION", c.EmailVerification, "want optional or mandatory"}
	}

	mem, err := uintVar(get, "GATEHOUSE_ARGON2_MEMORY", 19456, 8, 4<<20)
	if err != nil {
		return c, err
	}
	t, err := uintVar(get, "GATEHOUSE_ARGON2_TIME", 2, 1, 100)
	if err != nil {
		return c, err
	}
	p, err := uintVar(get, "GATEHOUSE_ARGON2_THREADS", 1, 1, 255)
	if err != nil {
		return c, err
	}
	c.ArgonMemoryKiB, c.ArgonTime, c.ArgonThreads = uint32(mem), uint32(t), uint8(p)
	return c, nil
}

// cookieDomainCovers reports whether a cookie for domain is sent to host:
// host is domain itself or one of its subdomains. A bare top-level name
// ("com") or an address is never a cookie domain.
func cookieDomainCovers(domain, host string) bool {
	host = strings.ToLower(host)
	if !strings.Contains(domain, ".") && domain != "localhost" || net.ParseIP(domain) != nil {
		return false
	}
	return host == domain || strings.HasSuffix(host, "."+domain)
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535
}

func checkDatabaseURL(s string) error {
	switch {
	case strings.HasPrefix(s, "sqlite://"):
		if strings.TrimPrefix(s, "sqlite://") == "" {
			return fmt.Errorf("want sqlite://path/to/file.db")
		}
		return nil
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return fmt.Errorf("want postgres://user@host:port/db")
		}
		return nil
	}
	return fmt.Errorf("unknown scheme: want sqlite:// or postgres://")
}

func checkCIDRs(s string) error {
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(part); err == nil {
			continue
		}
		if net.ParseIP(part) == nil {
			return fmt.Errorf("%q is neither a CIDR nor an IP address", part)
		}
	}
	return nil
}

func uintVar(get func(string, string) string, name string, def, lo, hi uint64) (uint64, error) {
	s := get(name, "")
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, &Error{name, s, fmt.Sprintf("want a whole number from %d to %d", lo, hi)}
	}
	return n, nil
}
