package handlers

import (
	"context"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
)

// userSessions lists a user's sessions as the sessions pages show them.
func (s *Server) userSessions(ctx context.Context, uid int64, currentID string) ([]pages.SessionRow, error) {
	list, err := s.Account.Sessions(ctx, uid, currentID)
	if err != nil {
		return nil, err
	}
	return sessionRows(list), nil
}

func sessionRows(list []account.Session) []pages.SessionRow {
	rows := make([]pages.SessionRow, len(list))
	for i, x := range list {
		browser, os := auth.DescribeUserAgent(x.UserAgent)
		rows[i] = pages.SessionRow{Handle: x.Handle, Browser: browser, OS: os, IP: x.IP,
			Started: x.Started, LastSeen: x.SeenAt, Current: x.Current, Remember: x.Remember}
	}
	return rows
}
