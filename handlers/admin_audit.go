package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/admin"
	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
)

// auditPageSize is the number of events per page of the audit log.
const auditPageSize = 50

// adminAudit is the audit log, newest first, by user and event, in keyset pages.
func (s *Server) adminAudit(c fiber.Ctx) error {
	q, err := forms.ParseAudit(queryGetter(c))
	if err != nil {
		return s.badRequest(c, err)
	}
	ctx := c.Context()
	v := admin.AuditView{Query: q, Access: access(c), Now: s.Now()}
	mq := models.AuditQuery{Event: q.Event, After: q.After, Before: q.Before, Limit: auditPageSize}
	if q.User != "" {
		u, err := s.users.ByUsername(ctx, auth.UsernameKey(q.User))
		switch {
		case models.IsNotFound(err):
			v.UnknownUser = true
		case err != nil:
			return err
		default:
			mq.UserID = u.ID
		}
	}
	if !v.UnknownUser {
		page, err := s.audit.List(ctx, mq)
		if errors.Is(err, models.ErrBadCursor) {
			return s.badRequest(c, &forms.BadRequest{Msg: "This page link is not valid. Start again from the first page."})
		}
		if err != nil {
			return err
		}
		v.Events, v.Next, v.Prev = page.Events, page.Next, page.Prev
		var ids []int64
		for _, e := range page.Events {
			for _, id := range []*int64{e.UserID, e.ActorID} {
				if id != nil {
					ids = append(ids, *id)
				}
			}
		}
		if v.Names, err = s.users.UsernamesByID(ctx, ids); err != nil {
			return err
		}
	}
	return s.page(c, fiber.StatusOK, s.adminProps(c, "Audit log"), admin.Audit(v))
}
