package handlers_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/models"
)

func registerForm(user, email, pw string) url.Values {
	return url.Values{"username": {user}, "email": {email}, "password": {pw}, "password_confirm": {pw}}
}

func TestInlineValidation(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateUser(t, "Taken", "taken@example.com", "a long secret phrase")
	c := env.Client(t)
	c.Get("/register")
	cases := []struct {
		field, trigger string
		form           url.Values
		wantErr        string // "" means valid
	}{
		{"username", "header", url.Values{"username": {"taken"}}, "This username is taken"},
		{"username", "field", url.Values{"username": {"free_name"}}, ""},
		{"username", "header", url.Values{"username": {"bad name!"}}, "Use only letters"},
		{"email", "header", url.Values{"email": {"TAKEN@example.com"}}, "already exists"},
		{"email", "header", url.Values{"email": {"nodot@localhost"}}, "valid email"},
		{"password", "header", url.Values{"password": {"12345678"}, "username": {"x"}}, "entirely numeric"},
		{"password", "header", url.Values{"password": {"password1"}}, "too common"},
		{"password", "header", url.Values{"password": {"free_name99"}, "username": {"free_name"}}, "too similar"},
		{"password", "field", url.Values{"password": {"short"}}, "at least 8"},
		{"password", "header", url.Values{"password": {"abababab"}}, "too weak"},
		{"password", "header", url.Values{"password": {"violet ostrich mountain"}}, ""},
		{"password_confirm", "header", url.Values{"password": {"abc defgh"}, "password_confirm": {"abc defgx"}}, "do not match"},
		{"password_confirm", "header", url.Values{"password": {"abc defgh"}, "password_confirm": {"abc defgh"}}, ""},
	}
	for _, tc := range cases {
		var r *testenv.Response
		if tc.trigger == "header" {
			r = c.Post("/register/validate", tc.form, "HX-Request", "true", "HX-Trigger-Name", tc.field)
		} else {
			tc.form.Set("field", tc.field)
			r = c.Post("/register/validate", tc.form)
		}
		if r.StatusCode != 200 || strings.Contains(r.Body, "<html") {
			t.Fatalf("%s: status %d\n%s", tc.field, r.StatusCode, r.Body)
		}
		if !strings.Contains(r.Body, `id="field-`+tc.field+`"`) || !strings.Contains(r.Body, `<label for="`+tc.field+`"`) {
			t.Fatalf("%s: not the field's block:\n%s", tc.field, r.Body)
		}
		invalid := strings.Contains(r.Body, `aria-invalid="true"`)
		if tc.wantErr == "" && invalid {
			t.Errorf("%s %v: valid value marked invalid:\n%s", tc.field, tc.form, r.Body)
		}
		if tc.wantErr != "" {
			if !invalid || !strings.Contains(r.Body, tc.wantErr) || !strings.Contains(r.Body, `aria-describedby="`+tc.field+`-msg`) {
				t.Errorf("%s %v: want %q marked invalid:\n%s", tc.field, tc.form, tc.wantErr, r.Body)
			}
		}
	}
	if r := c.Post("/register/validate", url.Values{"field": {"is_superuser"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown field: %d", r.StatusCode)
	}
}

func TestPasswordChecklistInValidation(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	r := c.Post("/register/validate", url.Values{"password": {"12345"}}, "HX-Trigger-Name", "password")
	for _, rule := range []string{"length", "numeric"} {
		if !regexp.MustCompile(`class="todo" data-rule="` + rule + `"`).MatchString(r.Body) {
			t.Errorf("rule %s not marked unmet:\n%s", rule, r.Body)
		}
	}
	r = c.Post("/register/validate", url.Values{"password": {"violet ostrich mountain"}}, "HX-Trigger-Name", "password")
	if strings.Contains(r.Body, `class="todo"`) {
		t.Errorf("good password leaves unmet rules:\n%s", r.Body)
	}
}

func TestRegisterErrorsKeepValues(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	r := c.Post("/register", url.Values{"username": {"new_user"}, "email": {"not-an-email"}, "password": {"hunter2hunter2"}, "password_confirm": {"different1234"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.StatusCode)
	}
	if !testenv.Contains(r.Body, `value="new_user"`, `value="not-an-email"`, `id="email-msg"`, `id="password_confirm-msg"`) {
		t.Fatalf("values or messages missing:\n%s", r.Body)
	}
	if strings.Contains(r.Body, "hunter2hunter2") || strings.Contains(r.Body, "different1234") {
		t.Fatal("a password was echoed")
	}
	if n := regexp.MustCompile(`aria-invalid="true"`).FindAllStringIndex(r.Body, -1); len(n) != 2 {
		t.Fatalf("want 2 invalid fields (email, confirmation), got %d", len(n))
	}
	if n, _ := (models.Users{DB: env.DB}).Count(context.Background()); n != 0 {
		t.Fatalf("a failed sign-up created %d users", n)
	}
}

func TestRegisterIgnoresUnknownFields(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	f := registerForm("mallory", "mallory@example.com", "violet ostrich mountain")
	f.Set("is_superuser", "on")
	f.Set("is_staff", "on")
	f.Set("email_verified", "true")
	if r := c.Post("/register", f); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d\n%s", r.StatusCode, r.Body)
	}
	u, err := (models.Users{DB: env.DB}).ByLogin(context.Background(), "mallory", "")
	if err != nil {
		t.Fatal(err)
	}
	if u.IsSuperuser || u.IsStaff || u.EmailVerified || !u.IsActive {
		t.Fatalf("unknown fields changed the account: %+v", u)
	}
}

// Two sign-ups of one name at the same moment make one user; the others
// see "taken".
func TestConcurrentSameNameSignUp(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	const n = 6
	var wg sync.WaitGroup
	statuses := make([]int, n)
	bodies := make([]string, n)
	clients := make([]*testenv.Client, n)
	for i := range clients {
		clients[i] = env.Client(t)
		clients[i].Get("/register")
	}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := clients[i].Post("/register", registerForm("SameName", testenv.Fmt("same%d@example.com", i), "violet ostrich mountain"))
			statuses[i], bodies[i] = r.StatusCode, r.Body
		}(i)
	}
	wg.Wait()
	created := 0
	for i, s := range statuses {
		switch s {
		case http.StatusSeeOther:
			created++
		case http.StatusUnprocessableEntity:
			if !strings.Contains(bodies[i], "taken") {
				t.Errorf("refused sign-up does not say taken:\n%s", bodies[i])
			}
		default:
			t.Errorf("status %d\n%s", s, bodies[i])
		}
	}
	var count int
	testenv.Must(t, env.DB.NewRaw("SELECT count(*) FROM users WHERE username_key = 'samename'").Scan(context.Background(), &count))
	if created != 1 || count != 1 {
		t.Fatalf("created %d (responses), %d (rows); want 1", created, count)
	}
}

func TestBadInputIsA4xx(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	c := env.Client(t)
	c.Get("/register")
	long := strings.Repeat("a", 5000)
	cases := []url.Values{
		registerForm("bad\xffname", "x@example.com", "violet ostrich mountain"),
		registerForm("nul\x00name", "x@example.com", "violet ostrich mountain"),
		registerForm(long, "x@example.com", "violet ostrich mountain"),
		registerForm("okname", long+"@example.com", "violet ostrich mountain"),
		registerForm("okname", "x@example.com", strings.Repeat("p", 1025)),
		registerForm("okname", "x\x00@example.com", "violet\x00ostrich mountain"),
	}
	for i, f := range cases {
		if r := c.Post("/register", f); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("case %d: status %d", i, r.StatusCode)
		}
	}
	for _, f := range []url.Values{
		{"login": {"\xff\xfe"}, "password": {"x"}},
		{"login": {"a\x00b"}, "password": {"\x00"}},
		{"login": {long}, "password": {long}},
	} {
		if r := c.Post("/login", f); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("login %q: status %d", f.Get("login")[:min(10, len(f.Get("login")))], r.StatusCode)
		}
	}
	// A gigabyte body is refused from its Content-Length, before anyone
	// reads (or sends) it.
	if status := postHuge(t, env.URL, "/register", 1<<30); status != http.StatusRequestEntityTooLarge {
		t.Errorf("1 GiB body: status %d", status)
	}
	// Malformed percent-encoding.
	if r := c.PostRaw("/login", "csrf_token="+c.CSRF+"&login=%zz&password=%"); r.StatusCode >= 500 {
		t.Errorf("malformed encoding: status %d", r.StatusCode)
	}
	if n, _ := (models.Users{DB: env.DB}).Count(context.Background()); n != 0 {
		t.Fatalf("bad input created %d users", n)
	}
}

// postHuge announces a body of n bytes, sends only its first kilobyte and
// returns the status the server answers with.
func postHuge(t *testing.T, base, path string, n int64) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
		path, n, strings.Repeat("a", 1024))
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a huge body: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
