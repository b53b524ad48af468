package handlers_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

var eventRow = regexp.MustCompile(`data-event-id="(\d+)"`)

func eventIDs(body string) []int64 {
	var out []int64
	for _, m := range eventRow.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, id)
	}
	return out
}

func TestAuditLogNewestFirstFiltersAndPages(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx := context.Background()
	c, root := adminClient(t, env, "root", testenv.Superuser)
	alice := env.CreateUser(t, "alice", "alice@example.com", adminPW)
	audit := models.Audit{DB: env.DB}
	for i := range 120 {
		e := &models.AuditEvent{Event: "login_failed", Login: "x"}
		switch {
		case i%3 == 0:
			e.Event, e.UserID = "login", &alice.ID
		case i%10 == 1:
			e.Event, e.ActorID, e.UserID = "user_changed", &alice.ID, &root.ID
		}
		testenv.Must(t, audit.Record(ctx, e))
	}
	var all []int64
	testenv.Must(t, env.DB.NewRaw("SELECT id FROM audit_events ORDER BY id DESC").Scan(ctx, &all))

	collect := func(url string) ([]int64, []string) {
		var got []int64
		var pages []string
		for url != "" {
			r := c.Get(url)
			mustStatus(t, r, http.StatusOK, url)
			got = append(got, eventIDs(r.Body)...)
			pages = append(pages, r.Body)
			url = link(nextLink, r.Body)
		}
		return got, pages
	}
	got, pages := collect("/admin/audit")
	if !slices.Equal(got, all) || len(pages) != 3 {
		t.Fatalf("all events newest first in 3 pages: %d pages, %v", len(pages), got)
	}
	// Back from the last page.
	r := c.Get(link(prevLink, pages[2]))
	if !slices.Equal(eventIDs(r.Body), eventIDs(pages[1])) {
		t.Fatalf("previous page differs")
	}
	// By event, and by user (as subject or actor).
	byEvent, _ := collect("/admin/audit?event=login")
	byUser, _ := collect("/admin/audit?user=ALICE")
	var wantEvent, wantUser []int64
	var events []models.AuditEvent
	testenv.Must(t, env.DB.NewSelect().Model(&events).OrderExpr("id DESC").Scan(ctx))
	for _, e := range events {
		if e.Event == "login" {
			wantEvent = append(wantEvent, e.ID)
		}
		if (e.UserID != nil && *e.UserID == alice.ID) || (e.ActorID != nil && *e.ActorID == alice.ID) {
			wantUser = append(wantUser, e.ID)
		}
	}
	if !slices.Equal(byEvent, wantEvent) || !slices.Equal(byUser, wantUser) {
		t.Fatalf("filters:\n event %v\n want  %v\n user %v\n want %v", byEvent, wantEvent, byUser, wantUser)
	}
	if r := c.Get("/admin/audit?user=nobody"); !testenv.Contains(r.Body, "There is no user named 'nobody'.", "No events match") {
		t.Errorf("unknown user:\n%s", r.Body)
	}
	for _, q := range []string{"after=zz", "after=YXVkaXR8MA", "before=x&after=y", "event=%00"} {
		if r := c.Get("/admin/audit?" + q); r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", q, r.StatusCode)
		}
	}
}
