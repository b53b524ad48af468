// Command run is the load-and-fault run of internal/chaos: it prints the
// table and exits 1 when an assertion fails (2 when it could not run).
//
//	go run ./internal/chaos/run -duration 60s
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/internal/chaos"
)

type envList []string

func (e *envList) String() string     { return strings.Join(*e, ",") }
func (e *envList) Set(s string) error { *e = append(*e, s); return nil }

func main() {
	cfg := chaos.Config{Log: os.Stderr}
	var env envList
	var rssMiB int64
	flag.DurationVar(&cfg.Duration, "duration", 60*time.Second, "how long the virtual users run; the faults are spread over it")
	flag.IntVar(&cfg.Users, "users", 100, "virtual users")
	flag.DurationVar(&cfg.Outage, "outage", 5*time.Second, "how long Redis, then PostgreSQL, are cut off")
	flag.DurationVar(&cfg.Think[0], "think-min", 500*time.Millisecond, "shortest pause of a user between two requests")
	flag.DurationVar(&cfg.Think[1], "think-max", 2500*time.Millisecond, "longest pause of a user between two requests")
	flag.StringVar(&cfg.DatabaseURL, "database-url", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL (a schema of the run's own is made and dropped)")
	flag.StringVar(&cfg.RedisURL, "redis-url", "redis://127.0.0.1:6379", "Redis (an empty database among 1–15 is claimed)")
	flag.StringVar(&cfg.Bin, "bin", "", "gatehouse binary (default: build ./cmd/gatehouse)")
	flag.Var(&env, "env", "extra KEY=VALUE for the instances (repeatable), e.g. GATEHOUSE_ARGON2_TIME=1")
	flag.DurationVar(&cfg.Limits.Recovery, "recovery", 5*time.Second, "service back within this of a backend's return")
	flag.Int64Var(&rssMiB, "max-rss", 256, "RSS limit of each instance, MiB")
	flag.Parse()
	cfg.Env = env
	cfg.Limits.MaxRSS = rssMiB << 20

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := chaos.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(2)
	}
	res.Print(os.Stdout, cfg.Limits)
	fails := res.Verdict(cfg.Limits)
	if len(fails) > 0 {
		fmt.Println("\nFAIL")
		for _, f := range fails {
			fmt.Println("  -", f)
		}
		os.Exit(1)
	}
	fmt.Println("\nPASS: no 500, 503 only while a backend was away, back within", cfg.Limits.Recovery,
		"of each return, every sign-up signs in, no session lost outside a store outage, RSS under", rssMiB, "MiB")
}
