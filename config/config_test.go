package config

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.BaseURL.String() != "http://localhost:8080" || c.DatabaseURL != "sqlite://gatehouse.db" ||
		c.RedisURL != "" || c.LogFormat != "text" || c.EmailVerification != "optional" || c.SMTPURL != nil {
		t.Fatalf("defaults: %+v", c)
	}
	if c.SecureCookies() || c.MandatoryVerification() {
		t.Fatal("laptop defaults must not demand https or verification")
	}
	if c.ArgonMemoryKiB != 19456 || c.ArgonTime != 2 || c.ArgonThreads != 1 {
		t.Fatalf("argon defaults: %+v", c)
	}
}

func TestGoodValues(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(envOf(map[string]string{
		"GATEHOUSE_ADDR":               "127.0.0.1:9000",
		"GATEHOUSE_BASE_URL":           "https://auth.example.com/",
		"GATEHOUSE_DATABASE_URL":       "postgres://u:p@db:5432/g?sslmode=disable",
		"GATEHOUSE_REDIS_URL":          "redis://cache:6379/2",
		"GATEHOUSE_SMTP_URL":           "smtp://user:pass@mail:2525",
		"GATEHOUSE_LOG_FORMAT":         "json",
		"GATEHOUSE_TRUSTED_PROXIES":    "10.0.0.0/8, 192.168.1.1,::1",
		"GATEHOUSE_EMAIL_VERIFICATION": "mandatory",
		"GATEHOUSE_SECRET_KEY":         "0123456789abcdef0123456789abcdef",
		"GATEHOUSE_ARGON2_MEMORY":      "65536",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.SecureCookies() || !c.MandatoryVerification() || c.SMTPURL.Host != "mail:2525" || c.ArgonMemoryKiB != 65536 {
		t.Fatalf("parsed: %+v", c)
	}
	if c.BaseURL.String() != "https://auth.example.com" {
		t.Fatalf("base url keeps a trailing slash: %s", c.BaseURL)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	t.Parallel()
	for name, value := range map[string]string{
		"GATEHOUSE_ADDR":               "nonsense",
		"GATEHOUSE_BASE_URL":           "ftp://x",
		"GATEHOUSE_DATABASE_URL":       "mysql://db",
		"GATEHOUSE_REDIS_URL":          "http://cache",
		"GATEHOUSE_SMTP_URL":           "smtp://",
		"GATEHOUSE_LOG_FORMAT":         "xml",
		"GATEHOUSE_TRUSTED_PROXIES":    "10.0.0.0/33",
		"GATEHOUSE_EMAIL_VERIFICATION": "sometimes",
		"GATEHOUSE_SECRET_KEY":         "short",
		"GATEHOUSE_ARGON2_TIME":        "0",
		"GATEHOUSE_RATE_LIMITS":        "login_ip=50/15x",
	} {
		_, err := FromEnv(envOf(map[string]string{name: value}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != name {
			t.Errorf("%s=%q: got %v, want an error naming the variable", name, value, err)
		}
	}
}

func TestPreventEnumeration(t *testing.T) {
	for v, want := range map[string]bool{"": false, "off": false, "on": true} {
		c, err := FromEnv(func(k string) string {
			if k == "GATEHOUSE_PREVENT_ENUMERATION" {
				return v
			}
			return ""
		})
		if err != nil || c.PreventEnumeration != want {
			t.Fatalf("%q: %v %v", v, c.PreventEnumeration, err)
		}
	}
	_, err := FromEnv(func(k string) string {
		if k == "GATEHOUSE_PREVENT_ENUMERATION" {
			return "yes"
		}
		return ""
	})
	var ce *Error
	if !errors.As(err, &ce) || ce.Var != "GATEHOUSE_PREVENT_ENUMERATION" {
		t.Fatalf("bad value: %v", err)
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(envOf(nil))
	if err != nil || c.Limits != auth.DefaultLimits() {
		t.Fatalf("default limits: %+v, %v", c.Limits, err)
	}
	c, err = FromEnv(envOf(map[string]string{"GATEHOUSE_RATE_LIMITS": "login_ip=100/1h,signup_ip=5/1m"}))
	if err != nil || c.Limits.LoginIP != (auth.Limit{Max: 100, Window: time.Hour}) || c.Limits.SignupIP != (auth.Limit{Max: 5, Window: time.Minute}) ||
		c.Limits.LoginAccount != auth.DefaultLimits().LoginAccount {
		t.Fatalf("overrides: %+v, %v", c.Limits, err)
	}
	for _, bad := range []string{"login_ip", "nope=1/1m", "login_ip=0/1m", "login_ip=5/1w"} {
		_, err := FromEnv(envOf(map[string]string{"GATEHOUSE_RATE_LIMITS": bad}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != "GATEHOUSE_RATE_LIMITS" {
			t.Errorf("%q: %v, want an error naming GATEHOUSE_RATE_LIMITS", bad, err)
		}
	}
}

func TestForwardAuthAndMetricsSettings(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(envOf(map[string]string{
		"GATEHOUSE_BASE_URL":      "https://auth.example.com",
		"GATEHOUSE_COOKIE_DOMAIN": ".Example.com",
		"GATEHOUSE_ACCESS_RULES":  "/etc/gatehouse/rules.yml",
		"GATEHOUSE_METRICS_ADDR":  "127.0.0.1:9100",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.CookieDomain != "example.com" || c.AccessRules != "/etc/gatehouse/rules.yml" || c.MetricsAddr != "127.0.0.1:9100" {
		t.Fatalf("settings: %+v", c)
	}
	if c, _ := FromEnv(envOf(nil)); c.CookieDomain != "" || c.AccessRules != "" || c.MetricsAddr != "" {
		t.Fatalf("defaults must leave these off: %+v", c)
	}
	for _, bad := range []map[string]string{
		{"GATEHOUSE_BASE_URL": "https://auth.example.com", "GATEHOUSE_COOKIE_DOMAIN": "other.com"},
		{"GATEHOUSE_BASE_URL": "https://auth.example.com", "GATEHOUSE_COOKIE_DOMAIN": "com"},
		{"GATEHOUSE_BASE_URL": "https://myexample.com", "GATEHOUSE_COOKIE_DOMAIN": "example.com"},
		{"GATEHOUSE_METRICS_ADDR": "9100"},
		{"GATEHOUSE_METRICS_ADDR": "127.0.0.1:0"},
	} {
		_, err := FromEnv(envOf(bad))
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%v: accepted, want a config error", bad)
		}
	}
}
