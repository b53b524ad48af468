package handlers_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/browsertest"
)

// The account-lifecycle pages in a real browser: accessibility in both
// themes, a clean console, and the reset request through htmx without a
// reload.
func TestBrowserLifecyclePages(t *testing.T) {
	t.Parallel()
	env, smtp := mailEnv(t)
	env.CreateUser(t, "quinn", "quinn@example.com", pw)
	other := clientWithUA(t, env, uaChrome)
	other.Login("quinn", pw)
	ctx := browsertest.New(t)
	console := newConsoleWatch(ctx)

	bOpen(t, ctx, env.URL+"/password-reset")
	bEval[bool](t, ctx, `window.__marker = 1; true`)
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("email"), "quinn@example.com"),
		chromedp.Click(chromedp.CSS(`#main form button[type="submit"]`)))
	bWait(t, ctx, `location.pathname === "/password-reset/sent" && window.__marker === 1`)
	console.clean(t, "reset request")
	link := mailLink(t, env, smtp, "quinn@example.com", "Reset your password", "/password-reset/")

	check := func(path string, want int) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(env.URL+path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if int(resp.Status) != want {
			t.Errorf("%s: status %d, want %d", path, resp.Status, want)
		}
		bWait(t, ctx, `document.readyState === "complete" && !!window.htmx`)
		browsertest.Axe(t, ctx)
		console.clean(t, path)
	}
	for _, scheme := range []string{"light", "dark"} {
		browsertest.ColorScheme(t, ctx, scheme)
		check("/password-reset", http.StatusOK)
		check("/password-reset/sent", http.StatusOK)
		check(link, http.StatusOK)
	}

	bOpen(t, ctx, env.URL+"/login")
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("login"), "quinn"), chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.Click(chromedp.CSS(`#main form button[type="submit"]`)))
	bWait(t, ctx, `location.pathname === "/account"`)
	for _, scheme := range []string{"light", "dark"} {
		browsertest.ColorScheme(t, ctx, scheme)
		check("/account", http.StatusOK)
		check("/account/email", http.StatusOK)
		check("/account/sessions", http.StatusOK)
	}
	if n := bEval[int](t, ctx, `document.querySelectorAll("#sessions [data-session]").length`); n != 2 {
		t.Errorf("%d sessions listed, want 2", n)
	}
}
