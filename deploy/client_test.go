package deploy_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// client is a browser without JavaScript on the test hosts: one cookie jar
// for auth.example.test and app.example.test, no automatic redirects, and
// the CSRF token of the last Gatehouse page it read.
type client struct {
	t    *testing.T
	s    *stack
	http *http.Client
	csrf string
}

type response struct {
	*http.Response
	Body string
}

func (s *stack) client() *client {
	// No public suffix list: example.test may set cookies for its
	// subdomains, as example.com would.
	jar, _ := cookiejar.New(nil)
	return &client{t: s.t, s: s, http: &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{DialContext: dialTestHosts},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// on returns the client for a subtest's t.
func (c *client) on(t *testing.T) *client { d := *c; d.t = t; return &d }

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read %s: %v", req.URL, err)
	}
	if m := csrfMeta.FindSubmatch(b); m != nil && len(m[1]) > 0 {
		c.csrf = html.UnescapeString(string(m[1]))
	}
	return &response{Response: resp, Body: string(b)}
}

// get fetches an absolute URL; header is name, value pairs.
func (c *client) get(u string, header ...string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	return c.do(req)
}

// post sends a form to Gatehouse (a path under its base URL) with the
// client's CSRF token, reading one from the home page when it has none.
func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	if c.csrf == "" {
		c.get(c.s.authURL + "/")
	}
	f := url.Values{}
	for k, vs := range form {
		f[k] = append([]string(nil), vs...)
	}
	if !f.Has("csrf_token") {
		f.Set("csrf_token", c.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, c.s.authURL+path, strings.NewReader(f.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := c.do(req)
	// Signing in or out gives the browser new CSRF cookies: the next post
	// reads a fresh token.
	c.csrf = ""
	return r
}

// app fetches a path of the protected app and, when it answered, what the
// app saw.
func (c *client) app(path string, header ...string) (*response, echo) {
	c.t.Helper()
	r := c.get(c.s.appURL+path, header...)
	var e echo
	if r.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(r.Body), &e); err != nil {
			c.t.Fatalf("GET %s: 200 but not the app's answer: %v\n%s", path, err, r.Body)
		}
	}
	return r, e
}

// signIn signs in on Gatehouse's own sign-in page.
func (c *client) signIn(login, password string) {
	c.t.Helper()
	c.get(c.s.authURL + "/login")
	r := c.post("/login", url.Values{"login": {login}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in %s: status %d\n%s", login, r.StatusCode, r.Body)
	}
}

// signedIn returns a new client signed in as a new user.
func (s *stack) signedIn(t *testing.T, name string) (*client, int64) {
	t.Helper()
	u := s.env.CreateUser(t, name, name+"@"+testDomain, "correct horse battery staple")
	c := s.client().on(t)
	c.signIn(name, "correct horse battery staple")
	return c, u.ID
}

// admin returns a client signed in as a new superuser.
func (s *stack) admin(t *testing.T, name string) *client {
	t.Helper()
	s.env.CreateUser(t, name, name+"@"+testDomain, "correct horse battery staple", testenv.Superuser)
	c := s.client().on(t)
	c.signIn(name, "correct horse battery staple")
	return c
}

var (
	formTag  = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	inputTag = regexp.MustCompile(`<input\b([^>]*)>`)
	attr     = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?`)
)

// formValues is what a browser would send from the page's form whose
// opening tag contains mark: hidden and text inputs, checked boxes.
func formValues(t *testing.T, page, mark string) url.Values {
	t.Helper()
	for _, f := range formTag.FindAllStringSubmatch(page, -1) {
		if !strings.Contains(f[1], mark) {
			continue
		}
		v := url.Values{}
		for _, in := range inputTag.FindAllStringSubmatch(f[2], -1) {
			a := map[string]string{}
			for _, m := range attr.FindAllStringSubmatch(in[1], -1) {
				a[m[1]] = html.UnescapeString(m[2])
			}
			_, checked := a["checked"]
			_, disabled := a["disabled"]
			if a["name"] == "" || disabled {
				continue
			}
			switch a["type"] {
			case "checkbox", "radio":
				if checked {
					v.Add(a["name"], a["value"])
				}
			case "submit", "button", "password":
			default:
				v.Add(a["name"], a["value"])
			}
		}
		return v
	}
	t.Fatalf("no form with %q on the page:\n%s", mark, page)
	return nil
}
