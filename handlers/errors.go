package handlers

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/layout"
)

// problem renders one of the pages that say what went wrong and what to do.
func (s *Server) problem(c fiber.Ctx, status int, heading, message string) error {
	p := s.props(c, heading)
	return s.page(c, status, p, layout.Problem(status, heading, message))
}

func (s *Server) forbidden(c fiber.Ctx) error {
	return s.problem(c, fiber.StatusForbidden, "Permission denied",
		"Your account does not have permission to open this page. Ask an administrator if you need access.")
}

func (s *Server) notFound(c fiber.Ctx) error {
	return s.problem(c, fiber.StatusNotFound, "Page not found",
		"There is nothing at this address. Check the link, or start again from the home page.")
}

func (s *Server) tooMany(c fiber.Ctx, retryAfter time.Duration) error {
	secs := auth.RetryAfterSeconds(retryAfter)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return s.problem(c, fiber.StatusTooManyRequests, "Too many attempts",
		"For your security, further attempts are paused. Try again in "+humanWait(secs)+".")
}

func humanWait(secs int) string {
	switch {
	case secs < 60:
		return strconv.Itoa(secs) + " seconds"
	case secs < 120:
		return "1 minute"
	default:
		return strconv.Itoa((secs+59)/60) + " minutes"
	}
}

func (s *Server) unavailable(c fiber.Ctx, what string) error {
	c.Set(fiber.HeaderRetryAfter, "30")
	return s.problem(c, fiber.StatusServiceUnavailable, "Service unavailable",
		"The "+what+" is not answering right now. Nothing was changed; try again in a minute.")
}

// handleError turns errors into pages. An error that is not an HTTP status
// is checked against the backends: a dead database or store is a 503, not a 500.
func (s *Server) handleError(c fiber.Ctx, err error) error {
	c.Response().ResetBody()
	if status, heading, message, ok := domainProblem(err); ok {
		var rl *account.RateLimitedError
		if errors.As(err, &rl) {
			return s.tooMany(c, rl.RetryAfter)
		}
		return s.problem(c, status, heading, message)
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusNotFound:
			return s.notFound(c)
		case fiber.StatusForbidden:
			return s.forbidden(c)
		case fiber.StatusRequestEntityTooLarge:
			return s.problem(c, fe.Code, "Request too large", "What you sent is larger than this site accepts. Send less and try again.")
		case fiber.StatusMethodNotAllowed:
			return s.problem(c, fe.Code, "Method not allowed", "This address does not accept that kind of request. Go back and use the page's form.")
		}
		if fe.Code >= 400 && fe.Code < 500 {
			return s.problem(c, fe.Code, "Bad request", "The request could not be understood. Go back, reload the page and try again.")
		}
	}
	if what := s.deadBackend(err); what != "" {
		s.Log.Warn("backend unavailable", "backend", what, "err", err, "path", logPath(c.Path()))
		s.backendDown(what)
		return s.unavailable(c, what)
	}
	if errors.Is(err, account.ErrBusy) || errors.Is(err, context.DeadlineExceeded) {
		// Backends answer, but this request ran out of time (e.g. waiting
		// for a hashing slot in a flood of sign-ins): busy, not broken.
		s.Log.Warn("request timed out", "err", err, "path", logPath(c.Path()), "ip", clientIP(c))
		c.Set(fiber.HeaderRetryAfter, "5")
		return s.problem(c, fiber.StatusServiceUnavailable, "Server busy",
			"The server is very busy right now. Nothing was changed; try again in a few seconds.")
	}
	s.Log.Error("request failed", "err", err, "path", logPath(c.Path()), "id", c.Locals(localRequestID))
	return s.problem(c, fiber.StatusInternalServerError, "Something went wrong",
		"An unexpected error stopped this request. Try again in a moment; if it keeps happening, tell the site's administrators.")
}

// deadBackend names the backend that does not answer a ping, or "". A
// request whose connection failed as its backend came back finds every
// ping answered: that failure is still the backend's, never a 500, and is
// put on the one that failed a ping last (the one that was away).
func (s *Server) deadBackend(err error) string {
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	for _, r := range s.Ready {
		if err := r.Ping(ctx); err != nil {
			s.lastDown.Store(&r.Name)
			return r.Name
		}
	}
	if !connectionFailed(err) || len(s.Ready) == 0 {
		return ""
	}
	if last := s.lastDown.Load(); last != nil {
		return *last
	}
	return s.Ready[0].Name
}

// connectionFailed tells a backend's refused, reset or dropped connection
// from a bug.
func connectionFailed(err error) bool {
	var ne net.Error
	var op *net.OpError
	return errors.As(err, &op) || (errors.As(err, &ne) && ne.Timeout()) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func (s *Server) sessionError(c fiber.Ctx, err error) {
	s.Log.Warn("session store error", "err", err, "path", logPath(c.Path()))
	s.backendDown("session store")
	c.Response().ResetBody()
	_ = s.unavailable(c, "session store")
}

// csrfError answers a request refused by csrfProtect: 403, nothing done.
func (s *Server) csrfError(c fiber.Ctx, err error) error {
	s.Log.Info("csrf refused", "err", err, "method", c.Method(), "path", logPath(c.Path()), "ip", clientIP(c))
	return s.problem(c, fiber.StatusForbidden, "Form expired",
		"This form expired or came from another site. Reload the page and try again.")
}

func (s *Server) healthz(c fiber.Ctx) error {
	return c.SendString("ok")
}

// readyz answers 200 when the database and the session store answer, else
// 503 naming the one that failed ("database", "session store"), one a
// line, and nothing more: no address, no error text (CONTRACT §13); the
// log has the details.
func (s *Server) readyz(c fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.Context(), time.Second)
	defer cancel()
	var failed []string
	for _, r := range s.Ready {
		if err := r.Ping(ctx); err != nil {
			s.Log.Warn("readiness check failed", "backend", r.Name, "err", err)
			s.lastDown.Store(&r.Name)
			s.backendDown(r.Name)
			failed = append(failed, r.Name)
		}
	}
	if len(failed) > 0 {
		c.Status(fiber.StatusServiceUnavailable)
		out := ""
		for _, f := range failed {
			out += f + "\n"
		}
		return c.SendString(out)
	}
	return c.SendString("ok\n")
}

// The use cases' refusals, mapped to what the visitor is told: the one
// place where a domain error becomes a status and a message.
const (
	msgInvalidLogin  = "Invalid username or password."
	msgUsernameTaken = "This username is taken. Try another."
	msgEmailTaken    = "An account with this email already exists. Sign in instead?"
	msgEmailInUse    = "An account with this email already exists."
	msgSameEmail     = "This is already your email address."
	msgWrongCurrent  = "Your current password is not correct."
	msgWrongReauth   = "That password is not correct."
)

// fieldError names the form field a refusal belongs to and its message.
func fieldError(err error) (field, message string, ok bool) {
	switch {
	case errors.Is(err, account.ErrUsernameTaken):
		return "username", msgUsernameTaken, true
	case errors.Is(err, account.ErrEmailTaken):
		return "email", msgEmailTaken, true
	case errors.Is(err, account.ErrSameEmail):
		return "email", msgSameEmail, true
	case errors.Is(err, account.ErrInvalidCredentials):
		return "password", msgInvalidLogin, true
	}
	return "", "", false
}

// domainProblem is the problem page of a refusal that has no form to go
// back to; ok is false for errors that are not refusals.
func domainProblem(err error) (status int, heading, message string, ok bool) {
	var rl *account.RateLimitedError
	switch {
	case errors.As(err, &rl):
		return fiber.StatusTooManyRequests, "Too many attempts", "", true
	case errors.Is(err, account.ErrForbidden):
		return fiber.StatusForbidden, "Permission denied",
			"Your account does not have permission to open this page. Ask an administrator if you need access.", true
	case errors.Is(err, account.ErrSessionNotFound):
		return fiber.StatusNotFound, "Session not found",
			"That session has already ended. Reload the sessions page to see the ones still active.", true
	}
	return 0, "", "", false
}
