// Package form renders form fields the same way everywhere: label above,
// input, and a message region wired up with aria-invalid and
// aria-describedby, so a page and its htmx fragment never drift apart.
package form

import (
	"strconv"

	"github.com/a-h/templ"
)

// Field describes one input and its state after validation.
type Field struct {
	Name         string
	Label        string
	Type         string // text, email, password…
	Value        string // never set for passwords
	Autocomplete string
	Hint         string
	Error        string
	Valid        bool // checked and fine: show a quiet check mark
	OKText       string
	Required     bool
	Autofocus    bool
	MaxLength    int
	// Validate is the URL that checks this field as the user types; empty
	// for fields that are only checked on submit.
	Validate string
	Toggle   bool // a show/hide button, for passwords
	// Extra renders below the message, e.g. the password checklist.
	Extra templ.Component
}

// BlockID is the id of the element an inline validation swaps.
func (f Field) BlockID() string { return "field-" + f.Name }

// InputID is the input's id (and what the label points at).
func (f Field) InputID() string { return f.Name }

// MsgID is the id of the message element named by aria-describedby.
func (f Field) MsgID() string { return f.Name + "-msg" }

func (f Field) inputType() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

func (f Field) describedBy() string {
	if f.Hint != "" {
		return f.MsgID() + " " + f.Name + "-hint"
	}
	return f.MsgID()
}

func (f Field) maxLength() string { return strconv.Itoa(f.MaxLength) }

func (f Field) okText() string {
	if f.OKText != "" {
		return f.OKText
	}
	return "Looks good"
}

func (f Field) blockClass() string {
	if f.Valid && f.Error == "" {
		return "field field-valid"
	}
	return "field"
}

func strengthLevel(s int) string {
	if s < 0 {
		return "none"
	}
	return strconv.Itoa(min(s, 4))
}

func strengthLabel(s int) string {
	if s < 0 {
		return "not set yet"
	}
	return [...]string{"very weak", "weak", "fair", "good", "strong"}[min(s, 4)]
}
