package handlers_test

import (
	"context"
	"testing"

	"github.com/gatehouse/gatehouse/auth"
)

func mustHashWith(t *testing.T, pw string) string {
	t.Helper()
	h, err := auth.NewHasher(auth.Params{Memory: 512, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 1).Hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
