package handlers

import (
	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/components/admin"
	"github.com/gatehouse/gatehouse/forms"
)

// auditPageSize is the number of events per page of the audit log.
const auditPageSize = 50

// adminAudit is the audit log, newest first, by user and event, in keyset pages.
func (s *Server) adminAudit(c fiber.Ctx) error {
	q, err := forms.ParseAudit(queryGetter(c))
	if err != nil {
		return s.badRequest(c, err)
	}
	l, err := s.Account.AuditLog(c.Context(), account.AuditFilter{
		Username: q.User, Event: q.Event, After: q.After, Before: q.Before, Limit: auditPageSize,
	})
	if done, rerr := s.refuse(c, err, adminAudit); done {
		return rerr
	}
	if err != nil {
		return err
	}
	v := admin.AuditView{Query: auditQueryView(q), Events: eventsView(l.Events), Names: l.Names,
		Next: l.Next, Prev: l.Prev, UnknownUser: l.UnknownUser, Access: access(c), Now: s.Now()}
	return s.page(c, fiber.StatusOK, s.adminProps(c, "Audit log"), admin.Audit(v))
}
