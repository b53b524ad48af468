package models_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

// With fresh statistics (on PostgreSQL the search then hands the trigram
// index only the rare part of q) the search finds exactly the rows whose
// username or email contains q.
func TestListSearchMatchesExactlyAfterAnalyze(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.OpenDB(t)
	_, err := models.Migrate(ctx, db)
	testenv.Must(t, err)
	users := models.Users{DB: db}
	var names []string
	for i := range 300 {
		name := fmt.Sprintf("user%04d", i*7)
		if i%50 == 0 {
			name = fmt.Sprintf("x%dq_user%04d", i, i)
		}
		names = append(names, name)
		testenv.Must(t, users.Create(ctx, &models.User{Username: name, UsernameKey: name, Email: name + "@corp.example",
			EmailKey: name + "@corp.example", PasswordHash: "x", IsActive: true, DateJoined: time.Now()}))
	}
	_, err = db.ExecContext(ctx, "ANALYZE users")
	testenv.Must(t, err)
	if models.IsPostgres(db) {
		plan, err := users.ExplainList(ctx, models.UserListParams{Q: "user0140", Sort: models.SortUsername, PageSize: 50})
		testenv.Must(t, err)
		if !strings.Contains(plan, "LIKE '%r0140%'") || !strings.Contains(plan, "|| '') LIKE '%user0140%'") {
			t.Errorf("the index is not given the rare part of the search:\n%s", plan)
		}
	}
	for _, q := range []string{"user0140", "USER014", "r0007", "q_user", "@corp", "user", "14@corp.ex", "zzzz"} {
		var want []string
		for _, n := range names {
			if strings.Contains(n+"@corp.example", strings.ToLower(q)) {
				want = append(want, n)
			}
		}
		slices.Sort(want)
		var got []string
		after := ""
		for {
			page, err := users.List(ctx, models.UserListParams{Q: q, Sort: models.SortUsername, PageSize: 100, After: after})
			testenv.Must(t, err)
			for _, r := range page.Rows {
				got = append(got, r.Username)
			}
			if after = page.Next; after == "" {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("q=%s: got %d %v\nwant %d %v", q, len(got), got, len(want), want)
		}
	}
}
