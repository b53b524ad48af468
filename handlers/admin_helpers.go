package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/admin"
	"github.com/gatehouse/gatehouse/components/layout"
	"github.com/gatehouse/gatehouse/forms"
)

// adminProps are the page props of an admin page: the wide layout.
func (s *Server) adminProps(c fiber.Ctx, title string) layout.Props {
	p := s.props(c, title)
	p.Wide = true
	return p
}

// access says what the viewer may do in the admin console.
func access(c fiber.Ctx) admin.Access {
	v := viewerOf(c)
	if v == nil {
		return admin.Access{}
	}
	p := v.Principal
	return admin.Access{
		UsersView: p.HasPerm("users.view"), UsersChange: p.HasPerm("users.change"),
		GroupsView: p.HasPerm("groups.view"), GroupsChange: p.HasPerm("groups.change"),
		AuditView: p.HasPerm("audit.view"),
	}
}

// actor is the viewer as the maker of an admin change.
func actor(c fiber.Ctx) auth.Actor {
	v := viewerOf(c)
	return auth.Actor{ID: v.User.ID, IsSuperuser: v.Principal.IsActive && v.Principal.IsSuperuser}
}

// formValues reads every posted value of a repeated field (ids, groups, perms).
func formValues(c fiber.Ctx) func(string) []string {
	return func(name string) []string {
		var out []string
		for _, v := range c.Request().PostArgs().PeekMulti(name) {
			out = append(out, string(v))
		}
		if len(out) == 0 {
			if mf, err := c.MultipartForm(); err == nil {
				out = mf.Value[name]
			}
		}
		return out
	}
}

// queryGetter reads query-string parameters.
func queryGetter(c fiber.Ctx) func(string) string {
	return func(name string) string { return c.Query(name) }
}

// paramID is the numeric {id} of an admin address; false for anything else.
func paramID(c fiber.Ctx) (int64, bool) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	return id, err == nil && id > 0
}

// badRequest answers 400 with a page that says what was wrong.
func (s *Server) badRequest(c fiber.Ctx, err error) error {
	msg := "The request could not be understood. Go back, reload the page and try again."
	if forms.IsBadRequest(err) {
		msg = err.Error()
	}
	return s.problem(c, fiber.StatusBadRequest, "Bad request", msg)
}

// refuse answers a refused admin action with a problem page; false when
// err is not a refusal.
func (s *Server) refuse(c fiber.Ctx, err error, act adminAction) (bool, error) {
	r, ok := adminRefusal(err, act)
	if !ok {
		return false, nil
	}
	return true, s.problem(c, r.Status, r.Title, r.Msg)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
