package pages_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/components/layout"
	"github.com/gatehouse/gatehouse/components/pages"
)

// BenchmarkAccountRender is the whole /account page of a signed-in user,
// rendered as the handler renders it (layout, nav, page).
func BenchmarkAccountRender(b *testing.B) {
	tok := "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij"
	p := layout.Props{Title: "Your account", CSRF: tok, Viewer: &layout.Viewer{Username: "user000123"}}
	now := time.Now()
	ll := now.Add(-time.Hour)
	v := pages.AccountView{Username: "user000123", Email: "user000123@example.test", DateJoined: now.Add(-400 * 24 * time.Hour),
		LastLogin: &ll, Groups: []string{"Beta testers", "Editors"}, Perms: []string{"bench.view"}, Now: now, CSRF: tok}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		_ = layout.Page(p, pages.Account(v)).Render(context.Background(), &buf)
	}
}
