package handlers_test

import (
	"strings"
	"testing"
)

// A proxy asks once per request of the app it guards, and logs that
// request itself: the answer's request line is at debug level, so an
// info-level log is not doubled. Other requests stay at info.
func TestForwardQuestionsLogAtDebug(t *testing.T) {
	t.Parallel()
	env := forwardEnv(t)
	c := env.Client(t)
	if r := ask(c, "/auth/request", "GET", "app.example.com", "/static/app.css"); r.StatusCode != 200 {
		t.Fatalf("public path: %d", r.StatusCode)
	}
	if r := c.Get("/login"); r.StatusCode != 200 {
		t.Fatalf("/login: %d", r.StatusCode)
	}
	var forward, login string
	for _, line := range strings.Split(env.Logs(), "\n") {
		if !strings.Contains(line, "msg=request ") {
			continue
		}
		switch {
		case strings.Contains(line, "path=/auth/request"):
			forward = line
		case strings.Contains(line, "path=/login"):
			login = line
		}
	}
	if !strings.Contains(forward, "level=DEBUG") {
		t.Errorf("forward-auth answer logged as %q, want level=DEBUG", forward)
	}
	if !strings.Contains(login, "level=INFO") {
		t.Errorf("/login logged as %q, want level=INFO", login)
	}
}
