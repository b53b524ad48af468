// Package mail holds the content of every mail Gatehouse sends. Each mail is
// one Mail value; its plain-text part (Text) and its HTML part (HTML, a
// templ template) are both rendered from that value, so the two parts say
// the same thing and carry the same link. The plain-text part is not a
// .templ file because templ escapes HTML and folds white space, neither of
// which a text/plain body may have.
package mail

import (
	"bytes"
	"context"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/a-h/templ"
)

// Mail is one message's content.
type Mail struct {
	To       string
	Subject  string
	Greeting string   // "Hi alice,"
	Before   []string // paragraphs above the action
	Action   *Action  // the one button, if any
	After    []string // paragraphs below the action
}

// Action is a mail's button and the link it opens.
type Action struct {
	Label, URL string
}

// Render returns the plain-text and HTML parts.
func Render(ctx context.Context, m Mail) (text, html string, err error) {
	var t, h bytes.Buffer
	if err := Text(m).Render(ctx, &t); err != nil {
		return "", "", err
	}
	if err := HTML(m).Render(ctx, &h); err != nil {
		return "", "", err
	}
	return t.String(), h.String(), nil
}

// Text is the text/plain part: paragraphs wrapped at 72 columns, the link
// on a line of its own so that mail programs make it clickable whole.
func Text(m Mail) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var b strings.Builder
		para := func(s string) {
			b.WriteString(wrap(s, 72))
			b.WriteString("\n\n")
		}
		if m.Greeting != "" {
			para(m.Greeting)
		}
		for _, p := range m.Before {
			para(p)
		}
		if m.Action != nil {
			b.WriteString(m.Action.Label + ":\n" + m.Action.URL + "\n\n")
		}
		for _, p := range m.After {
			para(p)
		}
		b.WriteString("-- \nGatehouse\n")
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// wrap breaks s into lines of at most width columns at spaces; a word
// longer than width (a URL) stays whole.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		switch {
		case i == 0:
		case n+1+utf8.RuneCountInString(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += utf8.RuneCountInString(word)
	}
	return b.String()
}
