// Package notes is a small app that uses Gatehouse for its users: anyone
// signed in writes notes; holders of the notes.moderate permission, which
// the app registers so the admin can grant it, see and delete everyone's.
// Its command is ./cmd/notes.
package notes

import (
	"html/template"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/assets"
)

// Moderate lets a user see and delete everyone's notes.
var Moderate = gatehouse.Perm{Code: "notes.moderate", Name: "Can moderate notes"}

// New returns the notes app with Gatehouse mounted in it.
func New(g *gatehouse.Gatehouse) *fiber.App {
	n := &notes{}
	app := fiber.New()
	// Gatehouse's pages (/login, /register, /account, /admin…) and its
	// middleware: sessions, CSRF checks and the signed-in user.
	g.Mount(app)
	app.Get("/notes", g.RequireLogin(), n.mine)
	app.Post("/notes", g.RequireLogin(), n.add)
	app.Post("/notes/:id/delete", g.RequireLogin(), n.delete)
	app.Get("/notes/all", g.RequirePerm(Moderate.Code), n.all)
	return app
}

// delete removes a note: its author's own, or anyone's for a moderator.
func (n *notes) delete(c fiber.Ctx) error {
	u := gatehouse.UserFrom(c)
	note, ok := n.byID(c.Params("id"))
	if !ok {
		return fiber.ErrNotFound // Gatehouse's 404 page
	}
	if note.AuthorID != u.ID && !u.HasPerm(Moderate.Code) {
		return fiber.ErrForbidden // Gatehouse's 403 page
	}
	n.remove(note.ID)
	back := "/notes"
	if c.FormValue("back") == "/notes/all" {
		back = "/notes/all"
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(back)
}

// Note is one note.
type Note struct {
	ID       int64
	AuthorID int64
	Author   string
	Text     string
	Created  time.Time
}

const maxNote = 500

// notes keeps the notes in memory, newest first.
type notes struct {
	mu   sync.Mutex
	list []Note
	last int64
}

func (n *notes) mine(c fiber.Ctx) error {
	u := gatehouse.UserFrom(c)
	return n.render(c, fiber.StatusOK, view{Title: "My notes", Notes: n.filter(u.ID)})
}

func (n *notes) all(c fiber.Ctx) error {
	return n.render(c, fiber.StatusOK, view{Title: "All notes", All: true, Notes: n.filter(0)})
}

func (n *notes) add(c fiber.Ctx) error {
	u := gatehouse.UserFrom(c)
	// Fiber's strings point into the request's buffer: keep a copy.
	text := strings.Clone(strings.TrimSpace(c.FormValue("text")))
	var problem string
	switch {
	case text == "":
		problem = "Write something first."
	case utf8.RuneCountInString(text) > maxNote:
		problem = "A note holds at most " + strconv.Itoa(maxNote) + " characters."
	}
	if problem != "" {
		return n.render(c, fiber.StatusUnprocessableEntity, view{Title: "My notes", Notes: n.filter(u.ID), Text: text, Error: problem})
	}
	n.mu.Lock()
	n.last++
	n.list = append([]Note{{ID: n.last, AuthorID: u.ID, Author: u.Username, Text: text, Created: time.Now()}}, n.list...)
	n.mu.Unlock()
	return c.Redirect().Status(fiber.StatusSeeOther).To("/notes")
}

// filter returns the notes of one author, or all for 0.
func (n *notes) filter(authorID int64) []Note {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []Note{}
	for _, note := range n.list {
		if authorID == 0 || note.AuthorID == authorID {
			out = append(out, note)
		}
	}
	return out
}

func (n *notes) byID(param string) (Note, bool) {
	id, err := strconv.ParseInt(param, 10, 64)
	if err != nil {
		return Note{}, false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, note := range n.list {
		if note.ID == id {
			return note, true
		}
	}
	return Note{}, false
}

func (n *notes) remove(id int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i, note := range n.list {
		if note.ID == id {
			n.list = append(n.list[:i], n.list[i+1:]...)
			return
		}
	}
}

type view struct {
	Title string
	All   bool
	Notes []Note
	Text  string // kept after a refused note
	Error string
	// Filled by render.
	User      *gatehouse.User
	CSRF      string
	Moderator bool
	CSS, JS   string
}

func (n *notes) render(c fiber.Ctx, status int, v view) error {
	v.User = gatehouse.UserFrom(c)
	v.CSRF = gatehouse.CSRFToken(c)
	v.Moderator = v.User.HasPerm(Moderate.Code)
	v.CSS, v.JS = assets.URL("app.css"), assets.URL("app.js")
	c.Status(status)
	c.Type("html", "utf-8")
	return page.Execute(c.Response().BodyWriter(), v)
}

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"date": func(t time.Time) string { return t.Format("2 Jan 2006 15:04") },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Notes</title>
<meta name="csrf-token" content="{{.CSRF}}">
<link rel="stylesheet" href="{{.CSS}}">
<script src="{{.JS}}" defer></script>
</head>
<body>
<nav id="nav" class="nav" aria-label="Main">
	<a href="/notes" class="nav-brand"><span class="logo-mark" aria-hidden="true">N</span><span>Notes</span></a>
	<details class="menu" data-menu>
		<summary><span class="sr-only">Account menu for </span><span data-username>{{.User.Username}}</span></summary>
		<div class="menu-panel">
			<a class="menu-item" href="/notes">My notes</a>
			{{if .Moderator}}<a class="menu-item" href="/notes/all">All notes</a>{{end}}
			<a class="menu-item" href="/account">Account</a>
			{{if .User.IsStaff}}<a class="menu-item" href="/admin">Admin</a>{{end}}
			<div class="menu-sep"></div>
			<form method="post" action="/logout">
				<input type="hidden" name="csrf_token" value="{{.CSRF}}">
				<button type="submit" class="menu-item">Sign out</button>
			</form>
		</div>
	</details>
</nav>
<main id="main" class="page-narrow">
	<h1>{{.Title}}</h1>
	{{if not .All}}
	<form method="post" action="/notes" class="card">
		<input type="hidden" name="csrf_token" value="{{.CSRF}}">
		<div class="field">
			<label for="text">New note</label>
			<textarea id="text" name="text" class="input" rows="3" maxlength="500"{{if .Error}} aria-invalid="true" aria-describedby="text-error"{{end}}>{{.Text}}</textarea>
			{{if .Error}}<p id="text-error" class="field-error">{{.Error}}</p>{{end}}
		</div>
		<button type="submit" class="btn btn-primary">Save note</button>
	</form>
	{{end}}
	{{range .Notes}}
	<article class="card" id="note-{{.ID}}">
		<p>{{.Text}}</p>
		<p><small>{{.Author}} · {{date .Created}}</small></p>
		<form method="post" action="/notes/{{.ID}}/delete">
			<input type="hidden" name="csrf_token" value="{{$.CSRF}}">
			{{if $.All}}<input type="hidden" name="back" value="/notes/all">{{end}}
			<button type="submit" class="btn btn-danger btn-sm">Delete</button>
		</form>
	</article>
	{{else}}
	<p class="empty-state">No notes yet.</p>
	{{end}}
</main>
</body>
</html>
`))
