package handlers_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/browsertest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The sign-up and sign-in pages in a real browser: live validation, htmx
// navigation without reloads, focus, accessibility in both themes, and a
// clean console. One browser per test; browsertest caps how many run at once.

func TestBrowserRegisterLiveValidation(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "taken", "taken@example.com", "a long secret phrase")
	ctx := browsertest.New(t)
	console := newConsoleWatch(ctx)

	bOpen(t, ctx, env.URL+"/register")
	// Count the inline checks, and mark the document: a full page load
	// would lose the marker.
	bEval[bool](t, ctx, `window.__marker = 1; window.__checks = [];
		document.addEventListener('htmx:beforeRequest', (e) => window.__checks.push(e.detail.elt.name || e.detail.elt.tagName)); true`)

	// Moving through fields without typing validates nothing.
	bDo(t, ctx, chromedp.Focus(chromedp.ID("email")), chromedp.Focus(chromedp.ID("password")),
		chromedp.Focus(chromedp.ID("password_confirm")), chromedp.Focus(chromedp.ID("username")))

	// a. A taken username is reported under the field, through htmx.
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("username"), "Taken"))
	bWait(t, ctx, `document.getElementById("username-msg").textContent.includes("This username is taken")`)
	got := bEval[[]string](t, ctx, `(() => { const i = document.getElementById("username");
		return [i.getAttribute("aria-invalid"), i.getAttribute("aria-describedby"), i.value,
			document.activeElement.id, String(window.__marker)]; })()`)
	if got[0] != "true" || !bHasWord(got[1], "username-msg") || got[2] != "Taken" || got[3] != "username" || got[4] != "1" {
		t.Errorf("after the check: aria-invalid, aria-describedby, value, focus, marker = %q", got)
	}
	checks := bEval[[]string](t, ctx, `window.__checks`)
	for _, name := range checks {
		if name != "username" {
			t.Errorf("inline checks sent = %q, want only username's (untouched fields are never checked)", checks)
			break
		}
	}
	browsertest.Axe(t, ctx) // the invalid state too

	// b. The password checklist fills in as one types; the value typed
	// survives the swap although the server never echoes passwords.
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("password"), "12345"))
	bWait(t, ctx, `document.querySelector("[data-strength]").textContent === "very weak"`)
	if n := bEval[int](t, ctx, `document.querySelectorAll('li[data-rule=length].todo, li[data-rule=numeric].todo, li[data-rule=similar].ok').length`); n != 3 {
		t.Errorf("checklist for 12345: %d of length.todo, numeric.todo, similar.ok", n)
	}
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("password"), "abcd efgh battery"))
	bWait(t, ctx, `document.querySelectorAll('li[data-rule=length].ok, li[data-rule=numeric].ok').length === 2`)
	if v := bEval[string](t, ctx, `document.getElementById("password").value`); v != "12345abcd efgh battery" {
		t.Errorf("password value after the checks = %q", v)
	}
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("password_confirm"), "12345abcd efgh battery"))
	bWait(t, ctx, `document.getElementById("password_confirm-msg").textContent.includes("Matches")`)
	if v := bEval[string](t, ctx, `document.getElementById("password_confirm").value`); v != "12345abcd efgh battery" {
		t.Errorf("confirmation value after the check = %q", v)
	}
	// Changing the password makes the confirmation say so, untouched.
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("password"), "!"))
	bWait(t, ctx, `document.getElementById("password_confirm").getAttribute("aria-invalid") === "true"`)
	got = bEval[[]string](t, ctx, `[document.getElementById("password").value, document.getElementById("password_confirm").value, document.activeElement.id]`)
	if strings.Join(got, ",") != "12345abcd efgh battery!,12345abcd efgh battery,password" {
		t.Errorf("after changing the password: password, confirmation, focus = %q", got)
	}

	// An answer for a value the user has since typed on is dropped: the
	// field keeps what was typed, and the newer check decides.
	bEval[bool](t, ctx, `window.__raced = false;
		document.addEventListener('htmx:beforeSend', (e) => {
			const el = e.detail.elt;
			if (el.id !== 'email' || window.__raced) return;
			window.__raced = true; // typed on while the first check is in flight
			el.value += '.org';
			el.dispatchEvent(new Event('input', {bubbles: true}));
		}); true`)
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("email"), "ann@example"))
	bWait(t, ctx, `window.__raced && document.getElementById("email-msg").querySelector(".field-ok") !== null`)
	got = bEval[[]string](t, ctx, `(() => { const i = document.getElementById("email");
		return [i.value, String(i.getAttribute("aria-invalid")), String(window.__marker)]; })()`)
	if strings.Join(got, ",") != "ann@example.org,null,1" {
		t.Errorf("after a check raced with typing: value, aria-invalid, marker = %q", got)
	}
	console.clean(t, "/register")
}

func TestBrowserSignInAndOut(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "bob", "bob@example.com", "a long secret phrase")
	ctx := browsertest.New(t)
	console := newConsoleWatch(ctx)

	bOpen(t, ctx, env.URL+"/login")
	bEval[bool](t, ctx, `window.__marker = 1; window.__busy = [];
		document.addEventListener('htmx:beforeSend', (e) => {
			const f = e.detail.elt;
			if (f.tagName !== 'FORM') return;
			const b = f.querySelector('button[type=submit]');
			const sp = b.querySelector('.spinner');
			window.__busy.push(String(b.disabled) + ',' + String(getComputedStyle(sp).display !== 'none' && sp.getBoundingClientRect().width > 0));
		}); true`)
	submit := chromedp.Click(chromedp.CSS(`#main form button[type="submit"]`))

	// e. An empty form: the first invalid field gets the focus.
	bDo(t, ctx, submit)
	bWait(t, ctx, `document.getElementById("login").getAttribute("aria-invalid") === "true"`)
	bWait(t, ctx, `document.activeElement && document.activeElement.id === "login"`)
	// While the request ran the button was disabled and showed its spinner;
	// afterwards the new button is usable.
	if busy := bEval[[]string](t, ctx, `window.__busy`); len(busy) != 1 || busy[0] != "true,true" {
		t.Errorf("submit button while the request ran (disabled, spinner shown) = %q", busy)
	}
	if s := bEval[string](t, ctx, `(() => { const b = document.querySelector('#main form button[type=submit]');
		return String(b.disabled) + ',' + getComputedStyle(b.querySelector('.spinner')).display; })()`); s != "false,none" {
		t.Errorf("submit button after the answer (disabled, spinner display) = %q", s)
	}

	// A wrong password: the message is on the password field, which gets
	// the focus; what was typed as login is kept.
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("login"), "bob"), chromedp.SendKeys(chromedp.ID("password"), "not the password"), submit)
	bWait(t, ctx, `document.getElementById("password-msg").textContent.includes("Invalid username or password.")`)
	bWait(t, ctx, `document.activeElement && document.activeElement.id === "password"`)
	got := bEval[[]string](t, ctx, `[document.getElementById("login").value, document.getElementById("password").value, String(window.__marker)]`)
	if strings.Join(got, ",") != "bob,,1" {
		t.Errorf("after a failed sign-in: login, password, marker = %q", got)
	}
	browsertest.Axe(t, ctx)

	// c. Success: /account's content, the top bar with the name, the URL
	// pushed, and no reload.
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("password"), "a long secret phrase"), submit)
	bWait(t, ctx, `location.pathname === "/account"`)
	bWait(t, ctx, `document.querySelector("#nav [data-username]") !== null`)
	got = bEval[[]string](t, ctx, `[document.querySelector("#nav [data-username]").textContent, String(window.__marker),
		(document.getElementById("account-username") || {}).textContent || "", document.title]`)
	if strings.Join(got, "|") != "bob|1|bob|Your account · Gatehouse" {
		t.Errorf("after sign-in: nav name, marker, account name, title = %q", got)
	}

	// Back: htmx keeps no history cache and reloads; /login sends a
	// signed-in user on to /account. Nothing breaks on the way.
	bEval[bool](t, ctx, `history.back(), true`)
	bWait(t, ctx, `window.__marker === undefined && document.readyState === "complete" && location.pathname === "/account"`)
	bWait(t, ctx, `document.querySelector("#nav [data-username]") !== null`)
	bEval[bool](t, ctx, `window.__marker = 2; true`)

	// d. Sign out from the menu: the anonymous top bar, home, a toast, no reload.
	bDo(t, ctx, chromedp.Click(chromedp.CSS(`#nav details[data-menu] > summary`)),
		chromedp.Click(chromedp.CSS(`#nav details[data-menu] form button[type="submit"]`)))
	bWait(t, ctx, `location.pathname === "/" && document.getElementById("nav").textContent.includes("Sign in")`)
	got = bEval[[]string](t, ctx, `[String(window.__marker), String(document.querySelector("#nav [data-username]")),
		(document.querySelector('#toasts [role="status"]') || {}).textContent || ""]`)
	if strings.Join(got, ",") != "2,null,Signed out" {
		t.Errorf("after sign-out: marker, nav name, toast = %q", got)
	}
	console.clean(t, "sign-in and sign-out")
}

func TestBrowserPagesAccessible(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "carol", "carol@example.com", "a long secret phrase")
	ctx := browsertest.New(t)
	console := newConsoleWatch(ctx)

	check := func(path string, want ...int) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(env.URL+path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !bContainsInt(want, int(resp.Status)) {
			t.Errorf("%s: status %d, want one of %v", path, resp.Status, want)
		}
		bWait(t, ctx, `document.readyState === "complete" && !!window.htmx`)
		browsertest.Axe(t, ctx)
		console.clean(t, path)
	}
	schemes := []string{"light", "dark"}
	for _, scheme := range schemes {
		browsertest.ColorScheme(t, ctx, scheme)
		check("/register", http.StatusOK)
		check("/login", http.StatusOK)
		check("/no-such-page", http.StatusNotFound)
		if h := bEval[string](t, ctx, `document.querySelector("h1").textContent`); h != "Page not found" {
			t.Errorf("404 page heading %q", h)
		}
	}

	bOpen(t, ctx, env.URL+"/login")
	bDo(t, ctx, chromedp.SendKeys(chromedp.ID("login"), "carol"), chromedp.SendKeys(chromedp.ID("password"), "a long secret phrase"),
		chromedp.Click(chromedp.CSS(`#main form button[type="submit"]`)))
	bWait(t, ctx, `location.pathname === "/account"`)
	for _, scheme := range schemes {
		browsertest.ColorScheme(t, ctx, scheme)
		check("/account", http.StatusOK)
		if n := bEval[int](t, ctx, `document.querySelectorAll('#nav a[href="/admin"]').length`); n != 0 {
			t.Error("the menu offers Admin to a user who is not staff")
		}
		// Not staff: 403 once the admin console is routed, 404 before.
		check("/admin/users", http.StatusForbidden, http.StatusNotFound)
		if h := bEval[string](t, ctx, `document.querySelector("h1").textContent`); h != "Permission denied" && h != "Page not found" {
			t.Errorf("/admin/users heading %q", h)
		}
	}
}

// TestBrowserStaffMenu: the menu has Admin for staff only (no browser needed).
func TestBrowserStaffMenu(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "dora", "dora@example.com", "a long secret phrase", testenv.Staff)
	c := env.Client(t)
	c.Get("/login")
	c.Login("dora", "a long secret phrase")
	r := c.Get("/account")
	nav := r.Body[strings.Index(r.Body, `<nav id="nav"`):]
	nav = nav[:strings.Index(nav, "</nav>")]
	for _, want := range []string{`data-username>dora<`, `href="/account"`, `href="/account/sessions"`, `href="/admin"`, `action="/logout"`} {
		if !strings.Contains(nav, want) {
			t.Errorf("staff menu lacks %s:\n%s", want, nav)
		}
	}
}

// ------------------------------------------------------------- helpers

func bDo(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func bEval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// bOpen loads a page and waits until htmx and app.js are running.
func bOpen(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	bDo(t, ctx, chromedp.Navigate(url))
	bWait(t, ctx, `document.readyState === "complete" && !!window.htmx`)
}

// bWait polls js until it is true; an error (a navigation under way)
// only means "not yet".
func bWait(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("waiting for %s: %v", js, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func bHasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if w == word {
			return true
		}
	}
	return false
}

func bContainsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// consoleWatch reports the console errors (script errors, CSP violations)
// that appeared since the last check. The browser logs every 4xx answer as a
// failed resource load; those the pages give on purpose are expected.
type consoleWatch struct {
	ctx  context.Context
	seen int
}

func newConsoleWatch(ctx context.Context) *consoleWatch { return &consoleWatch{ctx: ctx} }

var bExpectedStatus = regexp.MustCompile(`the server responded with a status of (403|404|422)\b`)

func (w *consoleWatch) clean(t *testing.T, where string) {
	t.Helper()
	time.Sleep(50 * time.Millisecond) // console events arrive asynchronously
	errs := browsertest.ConsoleErrors(w.ctx)
	for _, m := range errs[min(w.seen, len(errs)):] {
		if !bExpectedStatus.MatchString(m) {
			t.Errorf("console on %s: %s", where, m)
		}
	}
	w.seen = len(errs)
}
