package account

import "errors"

// The results a sign-in is counted under (Deps.OnSignIn): a small fixed
// set, so operations can watch for guessing and overload.
const (
	SignInSuccess     = "success"      // right password; a session may start
	SignInFailure     = "failure"      // wrong password, unknown name or inactive account
	SignInRateLimited = "rate_limited" // refused by a rate limit before any check
	SignInBusy        = "busy"         // no hashing slot before the request's deadline
	SignInUnverified  = "unverified"   // right password, address not confirmed (mandatory)
	SignInError       = "error"        // a backend failed
)

// SignInResults lists every result, in a fixed order.
func SignInResults() []string {
	return []string{SignInSuccess, SignInFailure, SignInRateLimited, SignInBusy, SignInUnverified, SignInError}
}

// signInResult names what a SignIn that returned err came to.
func signInResult(err error) string {
	var rl *RateLimitedError
	var unverified *UnverifiedError
	switch {
	case err == nil:
		return SignInSuccess
	case errors.Is(err, ErrInvalidCredentials):
		return SignInFailure
	case errors.As(err, &rl):
		return SignInRateLimited
	case errors.Is(err, ErrBusy):
		return SignInBusy
	case errors.As(err, &unverified):
		return SignInUnverified
	}
	return SignInError
}
