package metrics

import (
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/adaptor"
)

// App serves /metrics alone (every other path is 404), for its own
// listener at GATEHOUSE_METRICS_ADDR: never on the public address.
func (m *Metrics) App() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:      "gatehouse-metrics",
		ReadTimeout:  5 * time.Second,
		WriteTimeout: 15 * time.Second,
		IdleTimeout:  60 * time.Second,
	})
	app.Get("/metrics", adaptor.HTTPHandler(m.Handler()))
	return app
}
