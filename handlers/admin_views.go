package handlers

import (
	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/admin"
	"github.com/gatehouse/gatehouse/forms"
)

// The admin pages' view models, built from the forms and from what the
// account use cases return.

// The list's links leave out the default page size: both sides must agree
// on it (a compile error otherwise).
const (
	_ = uint(forms.DefaultPageSize - admin.DefaultPageSize)
	_ = uint(admin.DefaultPageSize - forms.DefaultPageSize)
)

func userQueryView(q forms.UserListQuery) admin.UserQuery {
	return admin.UserQuery{Q: q.Q, Active: q.Active, Staff: q.Staff, Superuser: q.Superuser, Group: q.Group,
		Sort: q.Sort, After: q.After, Before: q.Before, PageSize: q.PageSize}
}

func userListParams(q forms.UserListQuery) account.UserListParams {
	return account.UserListParams{
		Q: q.Q, Active: forms.Tri(q.Active), Staff: forms.Tri(q.Staff), Superuser: forms.Tri(q.Superuser),
		Group: q.Group, Sort: q.SortKey(), Desc: q.Desc(), After: q.After, Before: q.Before, PageSize: q.PageSize,
	}
}

func userRowsView(rows []account.UserRow) []admin.UserRow {
	out := make([]admin.UserRow, len(rows))
	for i, r := range rows {
		out[i] = admin.UserRow{ID: r.ID, Username: r.Username, Email: r.Email,
			IsActive: r.IsActive, IsStaff: r.IsStaff, IsSuperuser: r.IsSuperuser,
			Groups: r.Groups, DateJoined: r.DateJoined, LastLogin: r.LastLogin}
	}
	return out
}

func userDetailView(d *account.UserDetail) admin.UserDetail {
	return admin.UserDetail{ID: d.ID, Username: d.Username, Email: d.Email, EmailVerified: d.EmailVerified,
		IsActive: d.IsActive, IsStaff: d.IsStaff, IsSuperuser: d.IsSuperuser,
		DateJoined: d.DateJoined, LastLogin: d.LastLogin, PasswordChangedAt: d.PasswordChangedAt,
		GroupIDs: d.GroupIDs, Perms: d.Perms}
}

func groupView(g *account.Group) admin.GroupRow {
	return admin.GroupRow{ID: g.ID, Name: g.Name, Perms: g.Perms}
}

func groupRowsView(gs []account.Group) []admin.GroupRow {
	out := make([]admin.GroupRow, len(gs))
	for i := range gs {
		out[i] = groupView(&gs[i])
	}
	return out
}

func permsView(ps []auth.Perm) []admin.Perm {
	out := make([]admin.Perm, len(ps))
	for i, p := range ps {
		out[i] = admin.Perm{Code: p.Code, Name: p.Name}
	}
	return out
}

func userEditView(f forms.UserEdit) *admin.UserEdit {
	return &admin.UserEdit{IsActive: f.IsActive, IsStaff: f.IsStaff, IsSuperuser: f.IsSuperuser, GroupIDs: f.GroupIDs, Perms: f.Perms}
}

func groupFormView(f forms.Group) *admin.GroupForm {
	return &admin.GroupForm{Name: f.Name, Perms: f.Perms}
}

func auditQueryView(q forms.AuditQuery) admin.AuditQuery {
	return admin.AuditQuery{User: q.User, Event: q.Event, After: q.After, Before: q.Before}
}

func eventsView(es []account.AuditEntry) []admin.Event {
	out := make([]admin.Event, len(es))
	for i, e := range es {
		out[i] = admin.Event{ID: e.ID, CreatedAt: e.At, Event: e.Name, UserID: e.UserID, ActorID: e.ActorID,
			Login: e.Login, IP: e.IP, Detail: e.Detail}
	}
	return out
}
