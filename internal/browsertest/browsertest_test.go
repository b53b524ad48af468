package browsertest_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gatehouse/gatehouse/internal/browsertest"
)

// csp is as strict as the app's: no inline script or style, no eval.
const csp = "default-src 'self'; script-src 'self'"

const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<meta name="csrf-token" content="%s">
<link rel="stylesheet" href="/static/app.css">
<script src="/static/htmx.min.js" defer></script>
<script src="/static/app.js" defer></script>
</head>
<body>
`

// signinForm renders the sign-in form; invalid names the fields marked
// invalid.
func signinForm(csrfSeen string, invalid ...string) string {
	field := func(id, label, typ, auto string, extra string) string {
		bad := false
		for _, f := range invalid {
			bad = bad || f == id
		}
		attrs, msg, cls := "", "", "field"
		if bad {
			attrs = fmt.Sprintf(` aria-invalid="true" aria-describedby="%s-msg"`, id)
			msg = `<span class="field-error">Please check this field.</span>`
		}
		return fmt.Sprintf(`<div class="%s" id="%s-field">
<label class="label" for="%s">%s</label>
%s
<span class="field-msg" id="%s-msg" aria-live="polite">%s</span>
</div>`, cls, id, id, label,
			strings.Replace(extra, "INPUT", fmt.Sprintf(`<input class="input" id="%s" name="%s" type="%s" autocomplete="%s" required%s>`, id, id, typ, auto, attrs), 1),
			id, msg)
	}
	return `<form id="signin" method="post" action="/signin" hx-post="/signin" hx-target="this" hx-swap="outerHTML" data-csrf-seen="` + html.EscapeString(csrfSeen) + `">` +
		field("username", "Username", "text", "username", `<div>INPUT</div>`) +
		field("password", "Password", "password", "current-password",
			`<div class="input-group">INPUT<span class="input-addon"><button type="button" data-toggle-password aria-controls="password" aria-pressed="false" hidden>Show</button></span></div>`) +
		`<button class="btn btn-primary w-full" id="submit" type="submit">Sign in <span class="spinner htmx-indicator" aria-hidden="true"></span></button>
</form>`
}

type server struct {
	*httptest.Server
	mu       sync.Mutex
	lastCSRF string
}

func newServer(t *testing.T) *server {
	t.Helper()
	static := filepath.Join(browsertest.ModuleRoot(t), "assets", "static")
	for _, f := range []string{"htmx.min.js", "app.js", "app.css"} {
		if _, err := os.Stat(filepath.Join(static, f)); err != nil {
			t.Fatalf("assets/static/%s missing (npm ci && npm run vendor && npm run css): %v", f, err)
		}
	}
	s := &server{}
	mux := http.NewServeMux()
	mux.Handle("/static/", http.StripPrefix("/static/", http.FileServer(http.Dir(static))))
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	page := func(title, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, head, title, "tok-1")
			fmt.Fprint(w, body, "\n</body>\n</html>\n")
		}
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		var invalid []string
		if r.URL.Query().Has("invalid") {
			invalid = []string{"password"}
		}
		page("Sign in · Gatehouse", `<main class="page-narrow"><div class="card">
<p class="brand-mark">Gatehouse</p>
<h1>Sign in</h1>
`+signinForm("", invalid...)+`
<div class="card-footer"><p>No account? <a href="/register">Register</a></p></div>
</div></main>`)(w, r)
	})
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.lastCSRF = r.Header.Get("X-CSRF-Token")
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, signinForm(r.Header.Get("X-CSRF-Token"), "username", "password"))
	})
	// Inline validation of one field: answers with the field marked valid.
	mux.HandleFunc("POST /validate", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<span class="field-ok" id="validated">Looks good</span>`)
	})
	mux.HandleFunc("GET /focus", page("Focus · Gatehouse", `<main class="page-narrow"><div class="card"><h1>Focus</h1>
<form id="f" method="post" action="/signin" hx-post="/signin" hx-target="this" hx-swap="outerHTML">
<div class="field"><label class="label" for="first">First</label>
<input class="input" id="first" name="first" autofocus hx-post="/validate" hx-trigger="input changed delay:50ms" hx-target="#first-msg">
<span class="field-msg" id="first-msg"></span></div>
<div class="field"><label class="label" for="second">Second</label>
<input class="input" id="second" name="second" aria-invalid="true" aria-describedby="second-msg">
<span class="field-msg" id="second-msg"><span class="field-error">Required.</span></span></div>
<button class="btn btn-primary" id="go" type="submit">Go</button>
</form></div></main>`))
	mux.HandleFunc("GET /widgets", page("Widgets · Gatehouse", `<nav class="nav" aria-label="Main">
<a class="nav-brand" href="/">Gatehouse</a>
<details class="menu" data-menu id="menu"><summary id="menu-btn">Ada</summary>
<div class="menu-panel"><a class="menu-item" href="/account">Account</a><a class="menu-item" href="/sessions">Sessions</a></div></details>
</nav>
<main class="page-wide">
<h1>Users</h1>
<form data-bulk id="bulk" method="post" action="/bulk">
<div class="bulk-bar" data-bulk-bar hidden><span><span data-bulk-count>0</span> selected</span>
<button class="btn btn-danger btn-sm" type="submit" data-confirm="Delete {count} users?">Delete</button></div>
<div class="table-wrap" tabindex="0" role="region" aria-label="Users">
<table class="table"><thead><tr><th><input type="checkbox" data-select-all aria-label="Select all"></th><th>Name</th></tr></thead>
<tbody>
<tr><td><input type="checkbox" name="ids" value="1" aria-label="Select Ada"></td><td>Ada</td></tr>
<tr><td><input type="checkbox" name="ids" value="2" aria-label="Select Bob"></td><td>Bob</td></tr>
<tr><td><input type="checkbox" name="ids" value="3" aria-label="Select Cy"></td><td>Cy</td></tr>
</tbody></table></div>
</form>
<form data-confirm="Really sign out?" id="signout" method="post" action="/signedout"><button class="btn btn-secondary" id="signout-btn" type="submit">Sign out</button></form>
</main>
<div class="toast" role="status" data-toast="300" id="toast">Password changed</div>`))
	mux.HandleFunc("POST /signedout", page("Signed out · Gatehouse", `<main class="page-narrow"><h1>Signed out</h1></main>`))
	mux.HandleFunc("POST /bulk", page("Bulk · Gatehouse", `<main class="page-narrow"><h1>Done</h1></main>`))
	mux.HandleFunc("GET /design", page("Design · Gatehouse", designPage))

	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// designPage uses most design-system classes, for axe's contrast checks.
const designPage = `<nav class="nav" aria-label="Main"><a class="nav-brand" href="/">Gatehouse</a>
<details class="menu" data-menu><summary>Ada Lovelace</summary><div class="menu-panel"><a class="menu-item" href="/a">Account</a></div></details></nav>
<main class="page-wide">
<h1>Design system</h1>
<div class="alert alert-error" role="alert">That did not work. <a href="/x">Try again</a>.</div>
<div class="alert alert-info">Check your inbox.</div>
<div class="alert alert-success">Email verified.</div>
<div class="alert">Plain notice.</div>
<div class="card">
<form>
<div class="field"><label class="label" for="e">Email</label><input class="input" id="e" type="email" aria-invalid="true" aria-describedby="e-msg" value="x">
<span class="field-msg" id="e-msg"><span class="field-error">Enter a valid email address.</span></span></div>
<div class="field field-valid"><label class="label" for="u">Username</label><input class="input" id="u" value="ada" aria-describedby="u-msg u-hint">
<span class="field-msg" id="u-msg"><span class="field-ok">Available</span></span><span class="hint" id="u-hint">3 to 32 letters or digits.</span></div>
<ul class="checklist" aria-label="Password rules"><li class="ok">At least 12 characters</li><li class="todo">Not a common password</li></ul>
<div class="strength" aria-hidden="true"><div class="strength-bar" data-level="2"></div></div>
<p class="hint">Strength: fair</p>
<button class="btn btn-primary w-full" type="button">Continue</button>
<button class="btn btn-secondary" type="button">Cancel</button>
<button class="btn btn-danger btn-sm" type="button">Delete</button>
<button class="btn btn-link" type="button">Forgot your password?</button>
<button class="btn btn-primary" type="button" disabled>Saving</button>
</form></div>
<p><a class="chip" href="/?f=all">All</a> <a class="chip chip-active" href="/?f=staff" aria-current="page">Staff</a>
<span class="badge badge-yes">Yes</span> <span class="badge badge-no">No</span> <span class="badge">Pending</span></p>
<div class="bulk-bar"><span>2 selected</span><button class="btn btn-secondary btn-sm" type="button">Disable</button></div>
<div class="table-wrap" tabindex="0" role="region" aria-label="Users"><table class="table">
<thead><tr><th><a href="/?sort=name">Name <span class="sort-arrow" aria-hidden="true">&#9650;</span></a></th><th>Email</th><th>Joined</th></tr></thead>
<tbody><tr><td>Ada</td><td>ada@example.com</td><td><time datetime="2026-01-01T00:00:00Z" title="2026-01-01 00:00 UTC">3 hours ago</time></td></tr>
<tr><td>Bob</td><td>bob@example.com</td><td>yesterday</td></tr></tbody></table></div>
<div class="empty-state"><p>No users match “xyz”.</p><a class="btn btn-secondary" href="/">Clear search</a></div>
<nav class="pager" aria-label="Pages"><a class="btn btn-secondary btn-sm" href="/?p=1">Previous</a><span>Page 2 of 3</span><a class="btn btn-secondary btn-sm" href="/?p=3">Next</a></nav>
<section class="error-page"><h2 class="error-code">429</h2><p>Too many attempts. Try again in 5 minutes.</p><a href="/">Go home</a></section>
</main>
<div class="toast" role="status">Password changed</div>`

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor polls js until it is true; errors (such as a navigation under
// way) only mean "not yet".
func waitFor(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", js, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

const activeID = `document.activeElement ? document.activeElement.id : ""`

// noCSPErrors fails when the page hit its CSP or threw.
func noCSPErrors(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, m := range browsertest.ConsoleErrors(ctx) {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(m, "Refused") ||
			!strings.Contains(m, "status of") { // a 4xx resource load is expected; anything else is not
			t.Errorf("console: %s", m)
		}
	}
}

func TestPageTitleAndPasswordToggle(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := browsertest.New(t)

	do(t, ctx, chromedp.Navigate(srv.URL+"/"))
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if title != "Sign in · Gatehouse" {
		t.Errorf("title = %q", title)
	}

	// The toggle starts hidden (no JS) and app.js reveals it.
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("button[data-toggle-password]")))
	if typ := eval[string](t, ctx, `document.getElementById("password").type`); typ != "password" {
		t.Fatalf("type before = %q", typ)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("button[data-toggle-password]")))
	got := eval[[]string](t, ctx, `(() => { const b = document.querySelector("button[data-toggle-password]");
		return [document.getElementById("password").type, b.getAttribute("aria-pressed"), b.textContent]; })()`)
	if strings.Join(got, ",") != "text,true,Hide" {
		t.Errorf("after one click: type, aria-pressed, text = %v", got)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("button[data-toggle-password]")))
	got = eval[[]string](t, ctx, `(() => { const b = document.querySelector("button[data-toggle-password]");
		return [document.getElementById("password").type, b.getAttribute("aria-pressed"), b.textContent]; })()`)
	if strings.Join(got, ",") != "password,false,Show" {
		t.Errorf("after two clicks: type, aria-pressed, text = %v", got)
	}

	// htmx's injected indicator <style> is off (it would break the CSP).
	if n := eval[int](t, ctx, `document.querySelectorAll("head style").length`); n != 0 {
		t.Errorf("%d inline <style> elements in head", n)
	}
	noCSPErrors(t, ctx)
}

func TestAxeAndScreenshot(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := browsertest.New(t)
	dir := t.TempDir()

	for _, scheme := range []string{"light", "dark"} {
		browsertest.ColorScheme(t, ctx, scheme)
		for _, path := range []string{"/", "/?invalid=1", "/design", "/widgets"} {
			do(t, ctx, chromedp.Navigate(srv.URL+path))
			browsertest.Axe(t, ctx)
		}
		do(t, ctx, chromedp.Navigate(srv.URL+"/design"))
		file := filepath.Join(dir, "design-"+scheme+".png")
		browsertest.Screenshot(t, ctx, file)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 1000 || string(b[1:4]) != "PNG" {
			t.Errorf("%s: not a PNG (%d bytes)", file, len(b))
		}
		if out := os.Getenv("GATEHOUSE_SCREENSHOTS"); out != "" {
			browsertest.Screenshot(t, ctx, filepath.Join(out, "design-"+scheme+".png"))
		}
	}

	// axe must find real problems: an unlabeled input is a critical one.
	do(t, ctx, chromedp.Navigate(srv.URL+"/"))
	eval[bool](t, ctx, `document.getElementById("signin").insertAdjacentHTML("beforeend", '<input id="nolabel">'), true`)
	found := false
	for _, v := range browsertest.AxeRun(t, ctx) {
		found = found || v.ID == "label"
	}
	if !found {
		t.Error("axe did not report the unlabeled input")
	}
	noCSPErrors(t, ctx)
}

func TestAppJS(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := browsertest.New(t)

	t.Run("focus", func(t *testing.T) {
		// Load: the invalid field wins over autofocus.
		do(t, ctx, chromedp.Navigate(srv.URL+"/focus"))
		if id := eval[string](t, ctx, activeID); id != "second" {
			t.Fatalf("after load focus is on %q, want second", id)
		}
		// Inline validation from an input never moves the focus. One key:
		// on a loaded machine two keys may be validated twice, and the
		// second request can fire while the next step leaves the page
		// (htmx:targetError in the console).
		do(t, ctx, chromedp.Focus(chromedp.ID("first")), chromedp.SendKeys(chromedp.ID("first"), "a"))
		waitFor(t, ctx, `!!document.getElementById("validated")`)
		time.Sleep(100 * time.Millisecond)
		if id := eval[string](t, ctx, activeID); id != "first" {
			t.Errorf("after inline validation focus is on %q, want first", id)
		}
		// An htmx form submission answered with 422 is swapped, and the
		// first invalid field gets the focus; the CSRF header was sent.
		fill := chromedp.Steps(
			chromedp.SendKeys(chromedp.ID("username"), "ada"),
			chromedp.SendKeys(chromedp.ID("password"), "secret"),
		)
		do(t, ctx, chromedp.Navigate(srv.URL+"/"), fill, chromedp.Click(chromedp.ID("submit")))
		waitFor(t, ctx, `document.getElementById("signin").dataset.csrfSeen === "tok-1"`)
		waitFor(t, ctx, `document.activeElement && document.activeElement.id === "username"`)
		srv.mu.Lock()
		if srv.lastCSRF != "tok-1" {
			t.Errorf("X-CSRF-Token = %q", srv.lastCSRF)
		}
		srv.mu.Unlock()
		// The token is read fresh: a swapped-in meta is used next time.
		eval[bool](t, ctx, `document.querySelector('meta[name="csrf-token"]').content = "tok-2", true`)
		do(t, ctx, fill, chromedp.Click(chromedp.ID("submit")))
		waitFor(t, ctx, `document.getElementById("signin").dataset.csrfSeen === "tok-2"`)
		if n := len(browsertest.ConsoleErrors(ctx)); n == 0 {
			t.Error("ConsoleErrors saw no error for the 422 responses")
		}
	})

	t.Run("bulk", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(srv.URL+"/widgets"))
		state := `(() => { const f = document.getElementById("bulk"), a = f.querySelector("[data-select-all]");
			return [String(f.querySelector("[data-bulk-bar]").hidden), f.querySelector("[data-bulk-count]").textContent,
				String(a.checked), String(a.indeterminate),
				String(f.querySelectorAll('input[name="ids"]:checked').length)].join(","); })()`
		check := func(want string) {
			t.Helper()
			if got := eval[string](t, ctx, state); got != want {
				t.Errorf("bar hidden, count, all checked, indeterminate, checked = %s, want %s", got, want)
			}
		}
		check("true,0,false,false,0")
		do(t, ctx, chromedp.Click(chromedp.CSS(`input[name="ids"][value="2"]`)))
		check("false,1,false,true,1")
		do(t, ctx, chromedp.Click(chromedp.CSS(`[data-select-all]`)))
		check("false,3,true,false,3")
		do(t, ctx, chromedp.Click(chromedp.CSS(`input[name="ids"][value="1"]`)))
		check("false,2,false,true,2")
		do(t, ctx, chromedp.Click(chromedp.CSS(`[data-select-all]`)))
		check("false,3,true,false,3")
		do(t, ctx, chromedp.Click(chromedp.CSS(`[data-select-all]`)))
		check("true,0,false,false,0")

		// A submitter's data-confirm, with {count}; cancel keeps the page.
		do(t, ctx, chromedp.Click(chromedp.CSS(`input[name="ids"][value="3"]`)))
		eval[bool](t, ctx, `window.__asked = []; window.confirm = (m) => { window.__asked.push(m); return false; }, true`)
		do(t, ctx, chromedp.Click(chromedp.CSS(`[data-bulk-bar] button`)))
		if asked := eval[[]string](t, ctx, `window.__asked`); len(asked) != 1 || asked[0] != "Delete 1 users?" {
			t.Errorf("confirm asked %q", asked)
		}
	})

	t.Run("confirm", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(srv.URL+"/widgets"))
		eval[bool](t, ctx, `window.__asked = []; window.confirm = (m) => { window.__asked.push(m); return false; }, true`)
		do(t, ctx, chromedp.Click(chromedp.ID("signout-btn")))
		time.Sleep(200 * time.Millisecond)
		if asked := eval[[]string](t, ctx, `window.__asked`); len(asked) != 1 || asked[0] != "Really sign out?" {
			t.Errorf("confirm asked %q", asked)
		}
		if title := eval[string](t, ctx, `document.title`); title != "Widgets · Gatehouse" {
			t.Errorf("cancelled submit navigated to %q", title)
		}
		eval[bool](t, ctx, `window.confirm = () => true, true`)
		do(t, ctx, chromedp.Click(chromedp.ID("signout-btn")))
		waitFor(t, ctx, `document.title === "Signed out · Gatehouse"`)
	})

	t.Run("menu", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(srv.URL+"/widgets"), chromedp.Click(chromedp.ID("menu-btn")))
		if !eval[bool](t, ctx, `document.getElementById("menu").open`) {
			t.Fatal("menu did not open")
		}
		do(t, ctx, chromedp.KeyEvent(kb.Escape))
		if eval[bool](t, ctx, `document.getElementById("menu").open`) {
			t.Error("Escape did not close the menu")
		}
		if id := eval[string](t, ctx, activeID); id != "menu-btn" {
			t.Errorf("after Escape focus is on %q, want menu-btn", id)
		}
		do(t, ctx, chromedp.Click(chromedp.ID("menu-btn")), chromedp.Click(chromedp.CSS("h1")))
		if eval[bool](t, ctx, `document.getElementById("menu").open`) {
			t.Error("a click outside did not close the menu")
		}
	})

	t.Run("toast", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(srv.URL+"/widgets"))
		waitFor(t, ctx, `!document.getElementById("toast")`)
		// One swapped in later is handled too.
		eval[bool](t, ctx, `document.body.insertAdjacentHTML("beforeend", '<div class="toast" role="status" data-toast="200" id="t2">Saved</div>'), true`)
		waitFor(t, ctx, `!document.getElementById("t2")`)
	})

	noCSPErrors(t, ctx)
}
