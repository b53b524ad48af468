package auth_test

import (
	"context"
	"fmt"

	"github.com/gatehouse/gatehouse/auth"
)

func ExampleHasher() {
	ctx := context.Background()
	// Production code uses auth.DefaultParams(); small ones keep the
	// example fast.
	h := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)

	encoded, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		panic(err)
	}
	ok, needsRehash, err := h.Verify(ctx, encoded, "correct horse battery staple")
	fmt.Println(ok, needsRehash, err)

	// A hasher with stronger settings asks for the old hash to be replaced.
	stronger := auth.NewHasher(auth.Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)
	ok, needsRehash, err = stronger.Verify(ctx, encoded, "correct horse battery staple")
	fmt.Println(ok, needsRehash, err)
	// Output:
	// true false <nil>
	// true true <nil>
}

func ExampleValidatePassword() {
	for _, pw := range []string{"short", "31415926535", "alice-2024!", "password", "Tr0ub4dor&3"} {
		fmt.Printf("%q: %v\n", pw, auth.ValidatePassword(pw, "alice", "alice@example.com"))
	}
	// Output:
	// "short": Use at least 8 characters.
	// "31415926535": This password is entirely numeric.
	// "alice-2024!": This password is too similar to your username or email.
	// "password": This password is too common.
	// "Tr0ub4dor&3": <nil>
}

func ExampleSafeNext() {
	for _, next := range []string{"/admin/users?page=2", "//evil.example", "/\\evil.example", "https://evil.example"} {
		fmt.Println(auth.SafeNext(next))
	}
	// Output:
	// /admin/users?page=2 true
	//  false
	//  false
	//  false
}

func ExampleTrustedProxies_ClientIP() {
	proxies, err := auth.ParseTrustedProxies("10.0.0.0/8")
	if err != nil {
		panic(err)
	}
	// The left-most entry was sent by the client and is ignored.
	fmt.Println(proxies.ClientIP("10.0.0.2", []string{"6.6.6.6, 198.51.100.7, 10.0.0.9"}))
	// Output: 198.51.100.7
}

func ExampleDescribeUserAgent() {
	fmt.Println(auth.DescribeUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"))
	// Output: Edge 120 Windows
}
