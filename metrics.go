package gatehouse

import (
	"fmt"
	"net"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/metrics"
)

// metricsServer serves /metrics on GATEHOUSE_METRICS_ADDR, apart from
// the public address.
type metricsServer struct {
	app  *fiber.App
	addr string
	done chan struct{}
}

// serveMetrics listens on addr and serves m there until stop; a taken or
// bad address is a start-up error naming the variable.
func serveMetrics(addr string, m *metrics.Metrics) (*metricsServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("GATEHOUSE_METRICS_ADDR: %w", err)
	}
	s := &metricsServer{app: m.App(), addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = s.app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
	}()
	return s, nil
}

func (s *metricsServer) stop() error {
	err := s.app.ShutdownWithTimeout(5 * time.Second)
	<-s.done
	return err
}

// MetricsAddr is the address /metrics is served on (GATEHOUSE_METRICS_ADDR,
// resolved), or "" when metrics are off.
func (g *Gatehouse) MetricsAddr() string {
	if g.metrics == nil {
		return ""
	}
	return g.metrics.addr
}
