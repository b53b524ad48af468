package account

import (
	"context"

	"github.com/gatehouse/gatehouse/auth"
)

// AuditFilter selects one page of the audit log.
type AuditFilter struct {
	// Username keeps the events about or by one user ("" for everyone).
	Username string
	// Event keeps one kind of event ("" for all).
	Event         string
	After, Before string
	Limit         int
}

// AuditList is one page of the audit log with the usernames of the users
// its events name.
type AuditList struct {
	AuditPage
	// Names maps the user and actor ids of the page to usernames; an id
	// missing here is a deleted user.
	Names map[int64]string
	// UnknownUser: the filter names nobody (and the page is empty).
	UnknownUser bool
}

// AuditLog reads one page of the audit log, newest first (ErrBadCursor for
// a page link the log did not make).
func (s *Service) AuditLog(ctx context.Context, f AuditFilter) (*AuditList, error) {
	st := s.store
	q := AuditQuery{Event: f.Event, After: f.After, Before: f.Before, Limit: f.Limit}
	if f.Username != "" {
		u, err := st.AdminUsers().ByUsername(ctx, auth.UsernameKey(f.Username))
		switch {
		case IsNotFound(err):
			return &AuditList{UnknownUser: true, Names: map[int64]string{}}, nil
		case err != nil:
			return nil, err
		}
		q.UserID = u.ID
	}
	page, err := st.AuditLog().Page(ctx, q)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, e := range page.Events {
		for _, id := range []*int64{e.UserID, e.ActorID} {
			if id != nil {
				ids = append(ids, *id)
			}
		}
	}
	names, err := st.AdminUsers().UsernamesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &AuditList{AuditPage: page, Names: names}, nil
}
