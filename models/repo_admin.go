package models

import (
	"context"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
)

var (
	_ account.AdminUsers = Users{}
	_ account.Groups     = groupStore{}
	_ account.AuditLog   = Audit{}
)

func (r Repo) AdminUsers() account.AdminUsers { return Users{DB: r.DB} }
func (r Repo) Groups() account.Groups         { return groupStore{Groups{DB: r.DB}} }
func (r Repo) AuditLog() account.AuditLog     { return Audit{DB: r.DB} }

// groupStore is Groups as the application sees them.
type groupStore struct{ g Groups }

func groupOf(row *GroupRow) *account.Group {
	return &account.Group{ID: row.ID, Name: row.Name, Perms: row.Perms}
}

func (s groupStore) List(ctx context.Context) ([]account.Group, error) {
	rows, err := s.g.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]account.Group, len(rows))
	for i := range rows {
		out[i] = *groupOf(&rows[i])
	}
	return out, nil
}

func (s groupStore) ByID(ctx context.Context, id int64) (*account.Group, error) {
	row, err := s.g.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return groupOf(row), nil
}

func (s groupStore) Create(ctx context.Context, name string) (*account.Group, error) {
	g, err := s.g.Create(ctx, name)
	if err != nil {
		return nil, err
	}
	return &account.Group{ID: g.ID, Name: g.Name}, nil
}

func (s groupStore) Rename(ctx context.Context, id int64, name string) error {
	return s.g.Rename(ctx, id, name)
}

func (s groupStore) ReplacePerms(ctx context.Context, id int64, have, want []string) (added, removed []string, err error) {
	return replaceGrants(ctx, s.g.DB, "group_permissions", "group_id", id, have, want)
}

func (s groupStore) Delete(ctx context.Context, id int64) (*account.Group, error) {
	g, err := s.g.Delete(ctx, id)
	if err != nil {
		return nil, err
	}
	return &account.Group{ID: g.ID, Name: g.Name}, nil
}

func (s groupStore) Permissions(ctx context.Context) ([]auth.Perm, error) {
	all, err := Perms{DB: s.g.DB}.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]auth.Perm, len(all))
	for i, p := range all {
		out[i] = auth.Perm{Code: p.Code, Name: p.Name}
	}
	return out, nil
}

// Page is one page of the log as the application sees it.
func (a Audit) Page(ctx context.Context, q account.AuditQuery) (account.AuditPage, error) {
	page, err := a.List(ctx, q)
	if err != nil {
		return account.AuditPage{}, err
	}
	out := account.AuditPage{Next: page.Next, Prev: page.Prev, Events: make([]account.AuditEntry, len(page.Events))}
	for i, e := range page.Events {
		out.Events[i] = account.AuditEntry{ID: e.ID, At: e.CreatedAt, Name: e.Event, UserID: e.UserID, ActorID: e.ActorID,
			Login: e.Login, IP: e.IP, UserAgent: e.UserAgent, Detail: e.Detail}
	}
	return out, nil
}
