package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/models"
)

// seedCmd bulk-creates demo users that share one password hash.
func seedCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	n := fs.Int("users", 0, "number of users to create")
	password := fs.String("password", "gatehouse-demo-password", "password of every seeded user")
	if err := fs.Parse(args); err != nil {
		return &exitError{2, err}
	}
	if *n < 1 || *n > 50_000_000 {
		return &exitError{2, fmt.Errorf("seed: --users must be from 1 to 50000000")}
	}
	db, err := models.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := models.Migrate(ctx, db); err != nil {
		return err
	}
	p := auth.Params{Memory: cfg.ArgonMemoryKiB, Time: cfg.ArgonTime, Threads: cfg.ArgonThreads,
		SaltLen: auth.DefaultParams().SaltLen, KeyLen: auth.DefaultParams().KeyLen}
	hash, err := auth.NewHasher(p, 1).Hash(ctx, *password)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := models.Seed(ctx, db, models.SeedOptions{Users: *n, PasswordHash: hash})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d users (%s … %s), %d groups, %d memberships in %s\n",
		res.Users, res.First, res.Last, res.Groups, res.Memberships, time.Since(start).Round(time.Millisecond))
	return nil
}
