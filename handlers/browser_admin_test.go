package handlers_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/browsertest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The user list's live search in a real browser: typing replaces only the
// table (no reload), the address bar follows the search, back shows the
// earlier list again, and the bulk bar appears with a selection.
func TestBrowserAdminLiveSearch(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "root", "root@example.com", adminPW, testenv.Superuser)
	now := time.Now()
	insertUsers(t, env, []member{
		{name: "alpha1", joined: now, active: true}, {name: "alpha2", joined: now, active: true},
		{name: "bravo", joined: now, active: true}, {name: "charlie", joined: now, active: false},
	})
	ctx := browsertest.New(t)
	console := newConsoleWatch(ctx)

	// Staff sign in through the same sign-in page as everyone.
	bOpen(t, ctx, env.URL+"/login?next=/admin/users")
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("login"), "root"), chromedp.SendKeys(chromedp.ID("password"), adminPW),
		chromedp.Click(chromedp.CSS(`#main form button[type="submit"]`)))
	bWait(t, ctx, `location.pathname === "/admin/users" && !!document.getElementById("user-q")`)
	rows := `Array.from(document.querySelectorAll("#user-table [data-user-link]")).map(a => a.textContent).join(",")`
	bWait(t, ctx, rows+` === "alpha1,alpha2,bravo,charlie,root"`)
	bOpen(t, ctx, env.URL+"/admin/users") // a page of its own, to mark
	bEval[bool](t, ctx, `window.__marker = 1; true`)
	browsertest.Axe(t, ctx)

	// a. Typing filters the table in place and pushes the query.
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("user-q"), "alp"))
	bWait(t, ctx, rows+` === "alpha1,alpha2" && location.search === "?q=alp"`)
	got := bEval[[]string](t, ctx, `[String(window.__marker), document.activeElement.id, document.getElementById("user-q").value,
		document.getElementById("user-count").textContent]`)
	if strings.Join(got, "|") != "1|user-q|alp|2 users match" {
		t.Errorf("after typing: marker, focus, value, count = %q", got)
	}
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("user-q"), "ha2"))
	bWait(t, ctx, rows+` === "alpha2" && location.search === "?q=alpha2"`)

	// b. Nothing matches: the empty state, with a way back.
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("user-q"), "zz"))
	bWait(t, ctx, `!!document.getElementById("user-empty") && document.getElementById("user-empty").textContent.includes("No users match 'alpha2zz'")`)
	browsertest.Axe(t, ctx)

	// c. Back shows the earlier list again (a reload of the pushed URL).
	bDo(t, ctx, chromedp.NavigateBack())
	bWait(t, ctx, `location.search === "?q=alpha2" && document.readyState === "complete" && `+rows+` === "alpha2"`)
	if v := bEval[string](t, ctx, `document.getElementById("user-q").value`); v != "alpha2" {
		t.Errorf("search box after back = %q", v)
	}
	bDo(t, ctx, chromedp.NavigateBack())
	bWait(t, ctx, `location.search === "?q=alp" && document.readyState === "complete" && `+rows+` === "alpha1,alpha2"`)
	bDo(t, ctx, chromedp.Reload())
	bWait(t, ctx, `document.readyState === "complete" && `+rows+` === "alpha1,alpha2"`)

	// d. Selecting rows shows the bulk bar with the count; select-all takes the page.
	bWait(t, ctx, `!!window.htmx && document.querySelector("[data-bulk-bar]").hidden`)
	bDo(t, ctx, chromedp.Click(chromedp.CSS(`input[name="ids"]`)))
	bWait(t, ctx, `!document.querySelector("[data-bulk-bar]").hidden && document.querySelector("[data-bulk-count]").textContent === "1"`)
	bDo(t, ctx, chromedp.Click(chromedp.CSS(`[data-select-all]`)))
	bWait(t, ctx, `document.querySelector("[data-bulk-count]").textContent === "2"`)
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, filepath.Join(shotDir(t), "admin-users.png"))

	// e. Deactivate asks first; declined, nothing is sent; accepted, the
	// table comes back in place with a toast.
	bEval[bool](t, ctx, `window.__asked = ""; window.confirm = (m) => { window.__asked = m; return false; }; true`)
	bDo(t, ctx, chromedp.Click(chromedp.CSS(`button[value="deactivate"]`)))
	bWait(t, ctx, `window.__asked.startsWith("Deactivate 2 selected users?")`)
	bEval[bool](t, ctx, `window.__marker = 2; window.confirm = () => true; true`)
	bDo(t, ctx, chromedp.Click(chromedp.CSS(`button[value="deactivate"]`)))
	bWait(t, ctx, `(document.querySelector("#toasts [role=status]") || {}).textContent === "2 users deactivated."`)
	got = bEval[[]string](t, ctx, `[String(window.__marker), String(document.querySelectorAll("#user-table .badge-no").length >= 6), `+rows+`]`)
	if strings.Join(got, "|") != "2|true|alpha1,alpha2" {
		t.Errorf("after bulk deactivate: marker, inactive badges, rows = %q", got)
	}
	console.clean(t, "/admin/users")
}

// shotDir is where screenshots go: GATEHOUSE_SCREENSHOTS to keep them, else
// the test's temporary directory.
func shotDir(t *testing.T) string {
	if d := os.Getenv("GATEHOUSE_SCREENSHOTS"); d != "" {
		return d
	}
	return t.TempDir()
}
