package handlers

import (
	"context"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/layout"
)

func isHTMX(c fiber.Ctx) bool { return c.Get("HX-Request") == "true" }

// props fills what every page shares from the request.
func (s *Server) props(c fiber.Ctx, title string) layout.Props {
	p := layout.Props{Title: title, CSRF: csrfToken(c)}
	if v := viewerOf(c); v != nil {
		p.Viewer = &layout.Viewer{Username: v.User.Username, IsStaff: v.User.IsStaff && v.User.IsActive}
	}
	p.Toast = s.takeFlash(c)
	return p
}

// page answers with a whole page, or for htmx with #main's fragment and an
// out-of-band top bar: one component serves both.
func (s *Server) page(c fiber.Ctx, status int, p layout.Props, content templ.Component) error {
	c.Status(status)
	if isHTMX(c) {
		return render(c, layout.Fragment(p, content))
	}
	return render(c, layout.Page(p, content))
}

// fragment answers with a component alone (inline validation, table updates).
func fragment(c fiber.Ctx, status int, content templ.Component) error {
	c.Status(status)
	return render(c, content)
}

func render(c fiber.Ctx, comp templ.Component) error {
	c.Type("html", "utf-8")
	// Rendering writes to a buffer; a request deadline that has passed (or
	// an error page after a cancelled read) must not turn a page into a 500.
	return comp.Render(context.WithoutCancel(c.Context()), c.Response().BodyWriter())
}

// seeOther ends a successful POST without JavaScript (303), or for htmx
// tells the browser to load the destination.
func seeOther(c fiber.Ctx, to string) error {
	if isHTMX(c) {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusOK)
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(to)
}

// navigate ends a successful POST at dest: 303 without JavaScript; with
// htmx, dest's page rendered in place (show) into #main and the URL pushed,
// without a reload.
func (s *Server) navigate(c fiber.Ctx, dest string, show fiber.Handler) error {
	if !isHTMX(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To(dest)
	}
	c.Set("HX-Push-Url", dest)
	c.Set("HX-Retarget", "#main")
	c.Set("HX-Reswap", "innerHTML")
	return show(c)
}
