package account

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestSignInResultOfEachError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, SignInSuccess},
		{ErrInvalidCredentials, SignInFailure},
		{&RateLimitedError{}, SignInRateLimited},
		{ErrBusy, SignInBusy},
		{&UnverifiedError{}, SignInUnverified},
		{fmt.Errorf("load user: %w", context.DeadlineExceeded), SignInError},
		{errors.New("connection refused"), SignInError},
	} {
		if got := signInResult(tc.err); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
}
