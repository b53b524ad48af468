package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A username mixing alphabets (Cyrillic "а" beside Latin "dmin") is
// refused as confusable, on submit and inline; a name in one alphabet is
// fine.
func TestMixedScriptUsernamesAreRefused(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "admin", "admin@example.com", pw)
	const rule = "Use letters of one alphabet only"
	n := userCount(t, env)
	r := register(t, env.Client(t), "\u0430dmin", "fake@example.com")
	wantStatus(t, r, http.StatusUnprocessableEntity, "Cyrillic а beside Latin")
	if !testenv.Contains(r.Body, rule, `aria-invalid="true"`) || userCount(t, env) != n {
		t.Fatalf("mixed-script sign-up:\n%s", r.Body)
	}
	if r := validateField(env.Client(t), "username", url.Values{"username": {"g\u03bfogle"}}); !strings.Contains(r.Body, rule) {
		t.Fatalf("inline check of a mixed-script name:\n%s", r.Body)
	}
	wantRedirect(t, register(t, env.Client(t), "иван", "ivan@example.com"), "/account", "a Cyrillic name")
}
