// Command notes serves the notes example: Gatehouse inside a Fiber app,
// configured by the same GATEHOUSE_* variables as the gatehouse binary.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/examples/notes"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Getenv)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	cfg, err := config.FromEnv(getenv) // GATEHOUSE_DATABASE_URL, GATEHOUSE_REDIS_URL…
	if err != nil {
		return err
	}
	g, err := gatehouse.New(ctx, cfg, gatehouse.WithPerms(notes.Moderate))
	if err != nil {
		return err
	}
	defer g.Close() // after the server: stops Gatehouse's background work
	app := notes.New(g)
	return app.Listen(cfg.Addr, fiber.ListenConfig{GracefulContext: ctx, ShutdownTimeout: 20 * time.Second})
}
