package deploy_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The identity headers Gatehouse answers with (CONTRACT §9).
var identityHeaders = []string{"Remote-User", "Remote-Email", "Remote-Groups", "Remote-Permissions"}

// traefikDynamic is the part of Traefik's dynamic configuration that
// deploy/traefik.yml uses.
type traefikDynamic struct {
	HTTP struct {
		Routers map[string]struct {
			Rule        string   `yaml:"rule"`
			EntryPoints []string `yaml:"entryPoints"`
			Middlewares []string `yaml:"middlewares"`
			Service     string   `yaml:"service"`
		} `yaml:"routers"`
		Middlewares map[string]struct {
			ForwardAuth *struct {
				Address             string   `yaml:"address"`
				TrustForwardHeader  bool     `yaml:"trustForwardHeader"`
				AuthResponseHeaders []string `yaml:"authResponseHeaders"`
			} `yaml:"forwardAuth"`
			Headers *struct {
				CustomRequestHeaders map[string]string `yaml:"customRequestHeaders"`
			} `yaml:"headers"`
		} `yaml:"middlewares"`
		Services map[string]struct {
			LoadBalancer struct {
				Servers []struct {
					URL string `yaml:"url"`
				} `yaml:"servers"`
			} `yaml:"loadBalancer"`
		} `yaml:"services"`
	} `yaml:"http"`
}

// Traefik is not run here: this checks the header contract of
// deploy/traefik.yml, which the nginx and Caddy walks check live.
func TestTraefikContract(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("traefik.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg traefikDynamic
	if err := yaml.UnmarshalWithOptions(b, &cfg, yaml.Strict()); err != nil {
		t.Fatalf("traefik.yml: %v", err)
	}
	h := cfg.HTTP

	var authName string
	for name, m := range h.Middlewares {
		if m.ForwardAuth == nil {
			continue
		}
		if authName != "" {
			t.Fatalf("two forwardAuth middlewares: %s and %s", authName, name)
		}
		authName = name
		fa := m.ForwardAuth
		if !strings.HasPrefix(fa.Address, "http://127.0.0.1:8080/") || !strings.HasSuffix(fa.Address, "/auth/forward") {
			t.Errorf("forwardAuth address %q, want Gatehouse's /auth/forward", fa.Address)
		}
		if !fa.TrustForwardHeader {
			t.Errorf("trustForwardHeader is off: Gatehouse would not see the original request")
		}
		if !slices.Equal(fa.AuthResponseHeaders, identityHeaders) {
			t.Errorf("authResponseHeaders = %q, want exactly %q", fa.AuthResponseHeaders, identityHeaders)
		}
	}
	if authName == "" {
		t.Fatal("no forwardAuth middleware")
	}

	router := func(host string) (string, []string, string) {
		t.Helper()
		for name, r := range h.Routers {
			if strings.Contains(r.Rule, "Host(`"+host+"`)") {
				return name, r.Middlewares, r.Service
			}
		}
		t.Fatalf("no router for %s", host)
		return "", nil, ""
	}
	service := func(name string) string {
		t.Helper()
		s := h.Services[name].LoadBalancer.Servers
		if len(s) != 1 {
			t.Fatalf("service %q has %d servers, want 1", name, len(s))
		}
		return s[0].URL
	}

	name, mws, svc := router("app.example.com")
	if service(svc) != "http://127.0.0.1:3000" {
		t.Errorf("router %s goes to %s, want the app", name, service(svc))
	}
	at := slices.Index(mws, authName)
	if at < 0 {
		t.Fatalf("router %s does not use %s: %q", name, authName, mws)
	}
	// Gatehouse needs its cookie, so the cookie goes after the question.
	stripped := false
	for i, mw := range mws {
		m, ok := h.Middlewares[mw]
		if !ok {
			t.Errorf("router %s names an undefined middleware %s", name, mw)
			continue
		}
		if m.Headers != nil {
			if v, ok := m.Headers.CustomRequestHeaders["Cookie"]; ok && v == "" {
				stripped = true
				if i < at {
					t.Errorf("%s drops the Cookie header before %s asks Gatehouse", mw, authName)
				}
			}
		}
	}
	if !stripped {
		t.Errorf("router %s passes Gatehouse's cookies to the app", name)
	}

	name, mws, svc = router("auth.example.com")
	if service(svc) != "http://127.0.0.1:8080" {
		t.Errorf("router %s goes to %s, want Gatehouse", name, service(svc))
	}
	if len(mws) != 0 {
		t.Errorf("Gatehouse's router %s has middlewares %q: it must not be behind its own forward-auth", name, mws)
	}
}
