package handlers

import (
	"time"

	"github.com/gofiber/fiber/v3"
)

// Metrics receives what the HTTP layer counts for operations; the root
// package wires it to the Prometheus adapter (package metrics). Nil in
// Deps: nothing is counted and the middleware is not installed.
type Metrics interface {
	// Request records one answered request under its route label.
	Request(route, method string, status int, took time.Duration)
	// BackendError counts a backend found not answering ("database",
	// "session store": the names of /readyz).
	BackendError(backend string)
}

// Route labels for requests no route answered.
const (
	// routeUnmatched: no route has this path (the 404 page), whatever the
	// path was, so a scanner cannot mint label values.
	routeUnmatched = "unmatched"
	// routeMiddleware: middleware answered before any route ran (a CSRF
	// refusal, a session store that does not answer).
	routeMiddleware = "middleware"
)

// measure records every request under its matched route pattern
// (c.Route().Path, e.g. /password-reset/:token), never the raw path. It
// runs outermost, so the status is the final one, after handleError.
func (s *Server) measure(c fiber.Ctx) error {
	start := time.Now()
	// Read before the handlers run: an htmx sign-in renders its landing
	// page as a GET (renderPath).
	method := c.Method()
	err := c.Next()
	status := c.Response().StatusCode()
	s.Metrics.Request(routeLabel(c, status), method, status, time.Since(start))
	return err
}

// routeLabel is the label of the route that answered: its pattern when a
// route (not middleware) ran, else one of two fixed values, or the prefix
// of middleware that serves content itself (/static).
func routeLabel(c fiber.Ctx, status int) string {
	r := c.Route()
	if c.Matched() {
		return r.Path
	}
	switch {
	case status == fiber.StatusNotFound || status == fiber.StatusMethodNotAllowed:
		return routeUnmatched
	case r.Path == "/":
		return routeMiddleware
	}
	return r.Path
}

// backendDown counts a backend found not answering.
func (s *Server) backendDown(name string) {
	if s.Metrics != nil {
		s.Metrics.BackendError(name)
	}
}
