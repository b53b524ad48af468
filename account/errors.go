package account

import (
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// Errors the stores return; adapters wrap or return these.
var (
	ErrNotFound      = errors.New("not found")
	ErrConflict      = errors.New("already exists")
	ErrUsernameTaken = fmt.Errorf("username: %w", ErrConflict)
	ErrEmailTaken    = fmt.Errorf("email: %w", ErrConflict)
)

// Refusals of the use cases. Handlers map them to a status and a message
// in one place (handlers/errors.go).
var (
	// ErrInvalidCredentials: unknown user, wrong password or inactive
	// account, told apart for nobody.
	ErrInvalidCredentials = errors.New("invalid username or password")
	// ErrWrongPassword: a signed-in user's password check failed.
	ErrWrongPassword = errors.New("the password is not correct")
	// ErrLinkUnknown: not a token, or no such token (404).
	ErrLinkUnknown = errors.New("no such link")
	// ErrLinkDead: a link that existed but is used, expired or no longer
	// matches its user (410).
	ErrLinkDead = errors.New("link used or expired")
	// ErrForbidden: the actor may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrSessionNotFound: no such session of this user.
	ErrSessionNotFound = errors.New("session not found")
)

// RateLimitedError refuses an attempt over a limit; nothing was counted.
type RateLimitedError struct{ RetryAfter time.Duration }

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s", e.RetryAfter)
}

// UnverifiedError refuses a correct sign-in while verification is
// mandatory and the address is unconfirmed; it carries the user so the page
// can offer a new link.
type UnverifiedError struct{ User *auth.User }

func (e *UnverifiedError) Error() string { return "email address not verified" }

// FieldErrors are validation messages by form field name (422).
type FieldErrors map[string]string

func (e FieldErrors) Error() string {
	for k, v := range e {
		return k + ": " + v
	}
	return "invalid input"
}

// IsNotFound reports whether err means a missing record.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
