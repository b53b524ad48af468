// Package auth holds Gatehouse's authentication and authorisation rules that
// are neither HTTP nor SQL: password hashing, the validators behind the
// sign-up and password forms, split tokens for password resets, permission
// checks, safe redirect targets, client address resolution behind proxies,
// a small User-Agent describer, and the arithmetic of the login rate limits.
//
// Keeping these rules free of Fiber and Bun lets handlers, the admin
// commands and the tests share one definition of "valid", and lets the
// rules be fuzzed and benchmarked in isolation. Functions here are pure or
// depend only on the standard library, golang.org/x/crypto and
// golang.org/x/text; the only state is the embedded common-password list
// and each Hasher's concurrency limit.
package auth
