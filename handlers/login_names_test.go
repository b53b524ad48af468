package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A username may not be another account's email, nor an email another
// account's username (CONTRACT §8), so a typed login names one account.
// The account's own email as its username stays allowed.
func TestUsernameMayNotBeAnotherAccountsEmail(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "bob", "bob@example.com", pw)
	env.CreateUser(t, "carol@example.org", "carol.work@example.org", pw)
	n := userCount(t, env)

	// A username that is someone's email, in any case.
	if r := validateField(env.Client(t), "username", url.Values{"username": {"BOB@example.com"}}); !testenv.Contains(r.Body, `aria-invalid="true"`, "This username is taken") {
		t.Fatalf("validate a username that is an email:\n%s", r.Body)
	}
	r := register(t, env.Client(t), "Bob@Example.com", "robert@example.com")
	wantStatus(t, r, http.StatusUnprocessableEntity, "username that is another account's email")
	// An email that is someone's username, in any case.
	if r := validateField(env.Client(t), "email", url.Values{"email": {"Carol@example.org"}}); !testenv.Contains(r.Body, `aria-invalid="true"`, "already exists") {
		t.Fatalf("validate an email that is a username:\n%s", r.Body)
	}
	r = register(t, env.Client(t), "carol2", "CAROL@example.org")
	wantStatus(t, r, http.StatusUnprocessableEntity, "email that is another account's username")
	if userCount(t, env) != n {
		t.Fatal("a refused sign-up made an account")
	}
	// One's own email as one's username is fine.
	wantRedirect(t, register(t, env.Client(t), "dan@example.com", "Dan@example.com"), "/account", "own email as username")

	// Changing one's email to someone else's username: taken; to one's own
	// username: allowed.
	c := env.Client(t)
	c.Login("bob", pw)
	c.Get("/account/email")
	r = c.Post("/account/email", url.Values{"email": {"carol@EXAMPLE.org"}})
	wantStatus(t, r, http.StatusUnprocessableEntity, "change to another account's username")
	if !strings.Contains(r.Body, "already exists") {
		t.Fatalf("change page:\n%s", r.Body)
	}
	cc := env.Client(t)
	cc.Login("carol@example.org", pw)
	cc.Get("/account/email")
	wantRedirect(t, cc.Post("/account/email", url.Values{"email": {"carol@example.org"}}), "/account", "change to one's own username")
}

// With prevent-enumeration on, an email that is another account's
// username gets the same non-answer as a taken email.
func TestEmailThatIsAUsernameUnderPreventEnumeration(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t, map[string]string{"GATEHOUSE_PREVENT_ENUMERATION": "on"})
	env.CreateUser(t, "erin@example.net", "erin.home@example.net", pw)
	n := userCount(t, env)
	if r := validateField(env.Client(t), "email", url.Values{"email": {"Erin@example.net"}}); strings.Contains(r.Body, `aria-invalid="true"`) {
		t.Fatalf("validate reported it:\n%s", r.Body)
	}
	r := register(t, env.Client(t), "erin2", "ERIN@example.net")
	wantStatus(t, r, http.StatusOK, "sign-up")
	if !strings.Contains(r.Body, "We sent a confirmation link to") || userCount(t, env) != n {
		t.Fatalf("sign-up with an email that is a username:\n%s", r.Body)
	}
	smtp.WaitTo("ERIN@example.net", "Your email address is already in use")
	// Usernames are still reported, the cross check included.
	wantStatus(t, register(t, env.Client(t), "Erin.Home@example.net", "x@example.net"), http.StatusUnprocessableEntity, "username that is an email")
}
