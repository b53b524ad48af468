//go:build pprof

// Profiling build (go build -tags pprof), for scripts/bench-http: with
// GATEHOUSE_PPROF_ADDR set, net/http/pprof answers on that address only.
// The released binary has no such endpoint and no such variable.
package main

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("GATEHOUSE_PPROF_ADDR")
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	go func() {
		if err := http.ListenAndServe(addr, mux); err != nil {
			slog.Error("pprof listener", "addr", addr, "err", err)
		}
	}()
}
