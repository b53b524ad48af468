package chaos

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// account is a user a virtual user signed up. passwords holds the
// candidates, most likely first: after a password change that got no clear
// answer either may be the current one.
type account struct {
	username, email string
	passwords       []string
	signedUpAt      time.Time
}

// vu is a virtual user: a browser without JavaScript (a cookie jar, forms,
// the CSRF token of the last page) behind its own client address.
type vu struct {
	id     int
	base   string
	ip     string
	client *http.Client
	rec    *recorder
	rng    *rand.Rand
	think  [2]time.Duration
	csrf   string
	acct   *account
	// pending is a sign-up that got no clear answer: if a page later shows
	// the user signed in, it is this account.
	pending *account
	// known are this browser's accounts by username: after unclear answers
	// the page may show an earlier one signed in.
	known map[string]*account
	in    bool // signed in, as far as this user knows
}

func newVU(id int, base string, tr http.RoundTripper, rec *recorder, think [2]time.Duration) *vu {
	jar, _ := cookiejar.New(nil)
	return &vu{
		id: id, base: base, rec: rec, think: think, known: map[string]*account{},
		ip:  fmt.Sprintf("10.77.%d.%d", id/250, id%250+1),
		rng: rand.New(rand.NewPCG(uint64(id), uint64(time.Now().UnixNano()))),
		client: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

var (
	csrfMeta  = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)
	csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)
)

type answer struct {
	status   int
	location string
	body     string
	s        *sample
}

// do sends one request as a browser would (Origin on a POST, the form
// with the page's CSRF token) and records it.
func (v *vu) do(ctx context.Context, method, path string, form url.Values) answer {
	var body io.Reader
	if form != nil {
		f := url.Values{}
		for k, vs := range form {
			f[k] = vs
		}
		f.Set("csrf_token", v.csrf)
		body = strings.NewReader(f.Encode())
	}
	req, _ := http.NewRequestWithContext(ctx, method, v.base+path, body)
	req.Header.Set("X-Forwarded-For", v.ip)
	req.Header.Set("User-Agent", "gatehouse-chaos/1 (vu "+fmt.Sprint(v.id)+")")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", v.base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	s := &sample{route: method + " " + routeOf(path), start: time.Now()}
	resp, err := v.client.Do(req)
	var a answer
	if err == nil {
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		err = rerr
		a = answer{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b)}
	}
	s.end = time.Now()
	if err != nil {
		if ctx.Err() != nil {
			return answer{} // the run ended during the request: not counted
		}
		s.err = err.Error()
	}
	s.status = a.status
	if a.status == http.StatusServiceUnavailable {
		s.detail = heading(a.body)
		if m := notAnswering.FindStringSubmatch(a.body); m != nil {
			s.detail += ": the " + m[1]
		}
	}
	if m := csrfMeta.FindStringSubmatch(a.body); m != nil && m[1] != "" {
		v.csrf = html.UnescapeString(m[1])
	} else if m := csrfInput.FindStringSubmatch(a.body); m != nil && m[1] != "" {
		v.csrf = html.UnescapeString(m[1])
	}
	a.s = s
	v.rec.add(s)
	return a
}

func routeOf(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path
}

var (
	h1           = regexp.MustCompile(`<h1[^>]*>([^<]*)</h1>`)
	notAnswering = regexp.MustCompile(`The ([a-z ]+) is not answering`)
)

func heading(body string) string {
	if m := h1.FindStringSubmatch(body); m != nil {
		return strings.TrimSpace(html.UnescapeString(m[1]))
	}
	return ""
}

// unclear reports an answer that does not say whether the request was
// carried out: none, a 503, or a 502 of the balancer (an instance dropped
// it). The sample itself is judged by the verdict.
func unclear(a answer) bool {
	return a.status == 0 || a.status == http.StatusServiceUnavailable || a.status == http.StatusBadGateway
}

// unexpected marks an answer the run did not expect of a working server.
func (v *vu) unexpected(a answer, why string) {
	if a.s != nil && !unclear(a) && a.s.status < 500 {
		v.rec.mark(a.s, why)
	}
}

func (v *vu) pause(ctx context.Context) bool {
	d := v.think[0]
	if span := v.think[1] - v.think[0]; span > 0 {
		d += time.Duration(v.rng.Int64N(int64(span)))
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// run plays the user until ctx ends: sign up (or, now and then, sign up
// again as somebody new), then visits of a few pages between sign-in and
// sign-out, with a password change in some of them.
func (v *vu) run(ctx context.Context, after time.Duration) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(after):
	}
	for v.pause(ctx) {
		switch {
		case !v.in && (v.acct == nil || v.rng.IntN(20) == 0):
			v.signUp(ctx)
		case !v.in:
			v.signIn(ctx)
		default:
			v.visit(ctx)
		}
	}
}

func (v *vu) visit(ctx context.Context) {
	for _, p := range []string{"/", "/account", "/account/sessions"} {
		if !v.browse(ctx, p) || !v.pause(ctx) {
			return
		}
	}
	if len(v.acct.passwords) == 1 && v.rng.IntN(4) == 0 {
		v.changePassword(ctx)
		if !v.pause(ctx) || !v.browse(ctx, "/account") || !v.pause(ctx) {
			return
		}
	}
	v.signOut(ctx)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}

func newPassword(username, email string) string {
	for {
		p := "Chaos-" + randomHex(6) + "-Pass"
		if auth.ValidatePassword(p, username, email) == nil {
			return p
		}
	}
}

func (v *vu) signUp(ctx context.Context) {
	a := v.do(ctx, http.MethodGet, "/register", nil)
	switch {
	case a.status == http.StatusSeeOther && strings.HasPrefix(a.location, "/account"):
		v.adopt() // still signed in after an unclear answer
		return
	case a.status != http.StatusOK:
		v.unexpected(a, "register page")
		return
	}
	if !v.pause(ctx) {
		return
	}
	name := fmt.Sprintf("vu%03d_%s", v.id, randomHex(4))
	acct := &account{username: name, email: name + "@example.test"}
	acct.passwords = []string{newPassword(acct.username, acct.email)}
	a = v.do(ctx, http.MethodPost, "/register", url.Values{"username": {name}, "email": {acct.email},
		"password": {acct.passwords[0]}, "password_confirm": {acct.passwords[0]}})
	switch {
	case a.status == http.StatusSeeOther:
		acct.signedUpAt = a.s.end
		v.acct, v.in, v.pending = acct, true, nil
		v.known[acct.username] = acct
		v.rec.signedUp(acct)
	case unclear(a):
		v.pending = acct
	default:
		v.unexpected(a, "sign-up refused")
	}
}

// adopt takes note that the server still (or already) knows this browser
// as signed in, after an answer that did not say.
func (v *vu) adopt() {
	if v.pending != nil {
		v.acct, v.pending = v.pending, nil
		v.known[v.acct.username] = v.acct
	}
	v.in = v.acct != nil
}

// shownUser is the username a page's top bar shows signed in ("" none).
func shownUser(body string) string {
	m := shownUserRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

var shownUserRE = regexp.MustCompile(`<span data-username>([^<]*)</span>`)

func (v *vu) signIn(ctx context.Context) {
	a := v.do(ctx, http.MethodGet, "/login", nil)
	switch {
	case a.status == http.StatusSeeOther && strings.HasPrefix(a.location, "/account"):
		v.adopt() // still signed in after an unclear answer
		return
	case a.status != http.StatusOK:
		v.unexpected(a, "login page")
		return
	}
	for i, pw := range v.acct.passwords {
		if !v.pause(ctx) {
			return
		}
		a = v.do(ctx, http.MethodPost, "/login", url.Values{"login": {v.acct.username}, "password": {pw}})
		switch {
		case a.status == http.StatusSeeOther:
			v.acct.passwords = []string{pw}
			v.in = true
			return
		case a.status == http.StatusUnprocessableEntity && strings.Contains(a.body, "Invalid username or password") && i+1 < len(v.acct.passwords):
			continue // the other candidate
		case unclear(a):
		default:
			v.unexpected(a, "sign-in refused")
		}
		return
	}
}

// browse reads a page as a signed-in user; a page that no longer knows
// the user is a lost session.
func (v *vu) browse(ctx context.Context, path string) bool {
	a := v.do(ctx, http.MethodGet, path, nil)
	switch {
	case a.status == http.StatusOK && strings.Contains(a.body, v.acct.username):
		return true
	case a.status == http.StatusOK && v.known[shownUser(a.body)] != nil:
		// Signed in as another account of this browser: an unclear answer
		// earlier (a sign-up that may or may not have happened) left this
		// user unsure which; the page says.
		v.acct = v.known[shownUser(a.body)]
		return true
	case a.status == http.StatusOK || (a.status == http.StatusSeeOther && strings.HasPrefix(a.location, "/login")):
		v.rec.lost(a.s, v.acct.username)
		v.in = false
	case !unclear(a):
		v.unexpected(a, "page refused")
	}
	return false
}

func (v *vu) changePassword(ctx context.Context) {
	a := v.do(ctx, http.MethodGet, "/account/password", nil)
	if a.status != http.StatusOK {
		if a.status == http.StatusSeeOther && strings.HasPrefix(a.location, "/login") {
			v.rec.lost(a.s, v.acct.username)
			v.in = false
			return
		}
		v.unexpected(a, "password page")
		return
	}
	if !v.pause(ctx) {
		return
	}
	old := v.acct.passwords[0]
	pw := newPassword(v.acct.username, v.acct.email)
	a = v.do(ctx, http.MethodPost, "/account/password", url.Values{"current_password": {old}, "password": {pw}, "password_confirm": {pw}})
	switch {
	case a.status == http.StatusSeeOther && strings.HasPrefix(a.location, "/account"):
		v.acct.passwords = []string{pw}
	case a.status == http.StatusSeeOther && strings.HasPrefix(a.location, "/login"):
		v.rec.lost(a.s, v.acct.username)
		v.in = false
	case unclear(a):
		// No clear answer: the change may have been made, and the session
		// rotated with it; the next login page tells.
		v.acct.passwords = []string{old, pw}
		v.in = false
	default:
		v.unexpected(a, "password change refused")
	}
}

func (v *vu) signOut(ctx context.Context) {
	a := v.do(ctx, http.MethodPost, "/logout", url.Values{})
	switch {
	case a.status == http.StatusSeeOther:
		v.in = false
	case unclear(a):
		v.in = false // the next login page tells
	default:
		v.unexpected(a, "sign-out refused")
		v.in = false
	}
}
