package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/smtptest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func userCount(t *testing.T, env *testenv.Env) int {
	t.Helper()
	n, err := env.DB.NewSelect().TableExpr("users").Count(context.Background())
	testenv.Must(t, err)
	return int(n)
}

func validateField(c *testenv.Client, field string, form url.Values) *testenv.Response {
	c.Get("/register")
	return c.Post("/register/validate", form, "HX-Request", "true", "HX-Trigger-Name", field)
}

// GATEHOUSE_PREVENT_ENUMERATION off (the default): a taken address is
// reported on sign-up, in inline validation and on email change.
func TestTakenEmailIsReportedWithoutPreventEnumeration(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "owner", "owner@example.com", pw)
	c := env.Client(t)
	r := validateField(c, "email", url.Values{"email": {"Owner@example.com"}})
	if !testenv.Contains(r.Body, `aria-invalid="true"`, "already exists") {
		t.Fatalf("validate a taken email:\n%s", r.Body)
	}
	n := userCount(t, env)
	r = register(t, env.Client(t), "newbie", "OWNER@example.com")
	wantStatus(t, r, http.StatusUnprocessableEntity, "sign-up with a taken email")
	if !strings.Contains(r.Body, "already exists") || userCount(t, env) != n {
		t.Fatalf("taken email:\n%s", r.Body)
	}
}

// GATEHOUSE_PREVENT_ENUMERATION=on: sign-up and email change never say
// that an address is taken; the address's owner gets a mail instead.
// Usernames may still be reported taken.
func TestPreventEnumerationKeepsTakenAddressesQuiet(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t, map[string]string{"GATEHOUSE_PREVENT_ENUMERATION": "on"})
	env.CreateUser(t, "owner", "owner@example.com", pw)

	// Inline validation: a taken email is never reported; a taken name is.
	c := env.Client(t)
	if r := validateField(c, "email", url.Values{"email": {"Owner@example.com"}}); r.StatusCode != http.StatusOK || strings.Contains(r.Body, `aria-invalid="true"`) {
		t.Fatalf("validate a taken email: %d\n%s", r.StatusCode, r.Body)
	}
	if r := validateField(c, "username", url.Values{"username": {"OWNER"}}); !strings.Contains(r.Body, `aria-invalid="true"`) {
		t.Fatalf("validate a taken username:\n%s", r.Body)
	}

	// Sign-up: a taken address and a free one get the same page, and
	// neither a session.
	n := userCount(t, env)
	taken, fresh := env.Client(t), env.Client(t)
	rt := register(t, taken, "intruder", "OWNER@example.com")
	rf := register(t, fresh, "newbie", "newbie@example.com")
	for _, r := range []*testenv.Response{rt, rf} {
		wantStatus(t, r, http.StatusOK, "sign-up")
		if !testenv.Contains(r.Body, "Confirm your email address", "We sent a confirmation link to") ||
			strings.Contains(r.Body, "already") || strings.Contains(r.Body, `name="handle"`) {
			t.Fatalf("sign-up page:\n%s", r.Body)
		}
	}
	if taken.Cookie("gatehouse_session") != "" || fresh.Cookie("gatehouse_session") != "" {
		t.Fatal("a sign-up under prevent-enumeration started a session")
	}
	if got := userCount(t, env); got != n+1 {
		t.Fatalf("%d accounts made, want 1 (the free address only)", got-n)
	}
	owner := smtp.WaitTo("owner@example.com", "Your email address is already in use")
	if !testenv.Contains(strings.Join(strings.Fields(owner.Text), " "), "tried to create a Gatehouse account", "reset your password") {
		t.Fatalf("owner's mail:\n%s", owner.Text)
	}
	smtp.WaitTo("newbie@example.com", "Confirm your email address")
	// A taken username is still reported.
	wantStatus(t, register(t, env.Client(t), "Owner", "other@example.com"), http.StatusUnprocessableEntity, "taken username")

	// Email change to a taken address: answered as done, the owner told.
	u := env.CreateUser(t, "mover", "mover@example.com", pw)
	m := env.Client(t)
	m.Login("mover", pw)
	m.Get("/account/email")
	wantRedirect(t, m.Post("/account/email", url.Values{"email": {"Owner@Example.com"}}), "/account", "change to a taken address")
	if r := m.Get("/account"); !strings.Contains(r.Body, "Changing to <strong>Owner@example.com</strong>") {
		t.Fatalf("the account page does not show the change as pending:\n%s", r.Body)
	}
	smtp.Wait(10*time.Second, func(msg smtptest.Message) bool {
		return strings.EqualFold(msg.To[0], "owner@example.com") && strings.Contains(strings.Join(strings.Fields(msg.Text), " "), "the email address of another")
	})
	for _, msg := range smtp.Messages() {
		if strings.Contains(msg.Subject, "Confirm your new email address") {
			t.Fatalf("a change link was sent for a taken address to %v", msg.To)
		}
	}
	if got := loadUser(t, env, u.ID); got.Email != "mover@example.com" {
		t.Fatalf("address changed to %s", got.Email)
	}
}
