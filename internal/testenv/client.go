package testenv

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Client is a browser without JavaScript: a cookie jar, no automatic
// redirects, and the CSRF token of the last page it read.
type Client struct {
	t    testing.TB
	base string
	HTTP *http.Client
	CSRF string
	// Header is sent with every request (e.g. HX-Request, User-Agent).
	Header http.Header
}

// Response is a read response.
type Response struct {
	*http.Response
	Body string
}

// Client returns a new client for the server.
func (e *Env) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, base: e.URL, Header: http.Header{}, HTTP: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)

// Do sends req and reads the whole answer.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read %s: %v", req.URL, err)
	}
	body := string(b)
	if m := csrfMeta.FindStringSubmatch(body); m != nil && m[1] != "" {
		c.CSRF = m[1]
	} else if setsCookie(resp, "gatehouse_csrf") {
		// Signing in or out gives the browser a new CSRF cookie, and the
		// tokens of before stop working; the next Post reads a fresh one.
		c.CSRF = ""
	}
	return &Response{Response: resp, Body: body}
}

func setsCookie(resp *http.Response, name string) bool {
	for _, ck := range resp.Cookies() {
		if ck.Name == name {
			return true
		}
	}
	return false
}

// Get fetches a path.
func (c *Client) Get(path string, header ...string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	setHeaders(req, header)
	return c.Do(req)
}

// Post sends a form with the client's CSRF token (fetching the home page
// first if it has none yet, or signed in or out since its last page).
// header is name, value pairs.
func (c *Client) Post(path string, form url.Values, header ...string) *Response {
	c.t.Helper()
	if c.CSRF == "" {
		c.Get("/")
	}
	// A copy: the caller's values may be shared with another client.
	f := url.Values{}
	for k, vs := range form {
		f[k] = append([]string(nil), vs...)
	}
	if !f.Has("csrf_token") {
		f.Set("csrf_token", c.CSRF)
	}
	return c.PostRaw(path, f.Encode(), header...)
}

// PostRaw sends body as a form without touching it.
func (c *Client) PostRaw(path, body string, header ...string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	setHeaders(req, header)
	return c.Do(req)
}

func setHeaders(req *http.Request, kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
}

// Login signs in through the form and fails the test unless it worked.
func (c *Client) Login(login, password string) *Response {
	c.t.Helper()
	r := c.Post("/login", url.Values{"login": {login}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d\n%s", login, r.StatusCode, r.Body)
	}
	return r
}

// Cookie returns the value of a cookie the client holds for the server.
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// SetCookie replaces a cookie in the jar (to replay an old session id).
func (c *Client) SetCookie(name, value string) {
	u, _ := url.Parse(c.base)
	c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}
