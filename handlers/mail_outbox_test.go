package handlers_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/models"
)

// With the SMTP server down the request still succeeds, its mail waits in
// the outbox (retried with backoff), and once the server is back it arrives
// exactly once, though two instances' senders share the outbox.
func TestMailWaitsForSMTPAndArrivesOnce(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	env.StartSender(t) // a second instance's sender
	env.CreateUser(t, "zed", "zed@example.com", pw)
	smtp.Stop()

	c := env.Client(t)
	wantRedirect(t, requestReset(t, c, "zed@example.com"), "/password-reset/sent", "request while SMTP is down")
	out := models.Outbox{DB: env.DB}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var m models.OutboxMail
		err := env.DB.NewSelect().Model(&m).Where("to_addr = ?", "zed@example.com").Scan(context.Background())
		if err == nil && m.Attempts >= 3 && m.SentAt == nil && m.LastError != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the mail was not retried while SMTP was down: %+v %v", m, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n, _ := out.Pending(context.Background()); n != 1 {
		t.Fatalf("pending %d, want 1", n)
	}
	smtp.Restart()
	link := mailLink(t, env, smtp, "zed@example.com", "Reset your password", "/password-reset/")
	time.Sleep(400 * time.Millisecond) // twice the longest backoff: a duplicate would have arrived
	if got := len(smtp.To("zed@example.com")); got != 1 {
		t.Fatalf("%d copies arrived", got)
	}
	if n, _ := out.Pending(context.Background()); n != 0 {
		t.Fatalf("pending %d after delivery", n)
	}
	wantStatus(t, openLink(t, c, link), http.StatusOK, "the link from the late mail")
}
