package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/components/layout"
)

// Shared pages: a page every anonymous visitor gets alike but for a few
// values — the CSRF token, a next path — is rendered once, with
// placeholders where those values go, and then answered by writing the
// pieces between the placeholders and the request's own values. Rendering
// templ was most of the CPU of an anonymous GET /login (issue 10: the
// sign-in page is where every anonymous visitor of a protected app lands).
//
// A value fills a slot exactly as a templ string expression would render
// it (html.EscapeString), so a slot may be used only as `{ v }` text or a
// plain attribute value, never in a URL attribute (templ checks those).

// sharedPages holds the rendered pieces of each shared page by key.
type sharedPages struct {
	// mark starts every placeholder: random, so no value or text of a
	// page can contain it by chance, and of characters no escaping changes.
	mark  string
	pages sync.Map // key → []piece
}

// piece is literal HTML followed by the value of a slot (-1: none).
type piece struct {
	html []byte
	slot int
}

func newSharedPages() *sharedPages {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return &sharedPages{mark: "gh" + hex.EncodeToString(b[:])}
}

// maxSlots bounds a page's slots: a placeholder is the mark and two digits.
const maxSlots = 100

func (sp *sharedPages) placeholder(i int) string { return fmt.Sprintf("%s%02d", sp.mark, i) }

// sharedPage answers 200 with the page of p and the content build makes,
// the same bytes as s.page would write. values are this request's values of
// the page's slots; build makes the content from the token and the values
// it is given. key names the page and everything else it depends on (which
// of the values are empty is added here, since a template may leave out
// an element for an empty value). A signed-in viewer or a one-time message
// gets the page rendered afresh.
func (s *Server) sharedPage(c fiber.Ctx, key string, p layout.Props, values []string,
	build func(csrf string, values []string) templ.Component) error {
	if p.Viewer != nil || p.Toast != "" || len(values)+1 > maxSlots {
		return s.page(c, fiber.StatusOK, p, build(p.CSRF, values))
	}
	htmx := isHTMX(c)
	var k strings.Builder
	k.WriteString(key)
	k.WriteByte(0)
	if htmx {
		k.WriteByte('h')
	}
	for _, v := range values {
		if v == "" {
			k.WriteByte('0')
		} else {
			k.WriteByte('1')
		}
	}
	pieces, err := s.shared.pieces(k.String(), htmx, p, values, build)
	if err != nil {
		return err
	}
	c.Status(fiber.StatusOK)
	c.Type("html", "utf-8")
	r := c.Response()
	for _, pc := range pieces {
		r.AppendBody(pc.html)
		switch {
		case pc.slot == 0:
			r.AppendBodyString(html.EscapeString(p.CSRF))
		case pc.slot > 0:
			r.AppendBodyString(html.EscapeString(values[pc.slot-1]))
		}
	}
	return nil
}

// pieces returns the page of key, rendering it on first use. Two requests
// that race render it twice and keep one: the results are the same.
func (sp *sharedPages) pieces(key string, htmx bool, p layout.Props, values []string,
	build func(csrf string, values []string) templ.Component) ([]piece, error) {
	if v, ok := sp.pages.Load(key); ok {
		return v.([]piece), nil
	}
	marked := make([]string, len(values))
	for i, v := range values {
		if v != "" {
			marked[i] = sp.placeholder(i + 1)
		}
	}
	p.CSRF = sp.placeholder(0)
	content := build(p.CSRF, marked)
	page := layout.Page(p, content)
	if htmx {
		page = layout.Fragment(p, content)
	}
	var buf bytes.Buffer
	if err := page.Render(context.Background(), &buf); err != nil {
		return nil, err
	}
	out, err := sp.split(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("shared page %q: %w", key, err)
	}
	sp.pages.Store(key, out)
	return out, nil
}

// split cuts a rendered page at its placeholders.
func (sp *sharedPages) split(b []byte) ([]piece, error) {
	var out []piece
	mark := []byte(sp.mark)
	for {
		i := bytes.Index(b, mark)
		if i < 0 {
			return append(out, piece{html: bytes.Clone(b), slot: -1}), nil
		}
		j := i + len(mark)
		if j+2 > len(b) || b[j] < '0' || b[j] > '9' || b[j+1] < '0' || b[j+1] > '9' {
			return nil, fmt.Errorf("a placeholder was altered while rendering")
		}
		out = append(out, piece{html: bytes.Clone(b[:i]), slot: int(b[j]-'0')*10 + int(b[j+1]-'0')})
		b = b[j+2:]
	}
}
