package account

import (
	"context"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/auth"
)

// GroupChange says what an edit of a group changed.
type GroupChange struct {
	OldName, NewName string
	Added, Removed   []string // permission codes
}

// Any reports whether anything changed.
func (c GroupChange) Any() bool {
	return c.OldName != c.NewName || len(c.Added) > 0 || len(c.Removed) > 0
}

// String is the change in one line, for the audit log.
func (c GroupChange) String() string {
	parts := []string{c.NewName + ":"}
	if c.OldName != c.NewName {
		parts = append(parts, "renamed from "+c.OldName+";")
	}
	if len(c.Added) > 0 {
		parts = append(parts, "permissions + "+strings.Join(c.Added, ", ")+";")
	}
	if len(c.Removed) > 0 {
		parts = append(parts, "permissions − "+strings.Join(c.Removed, ", ")+";")
	}
	return strings.TrimSuffix(strings.Join(parts, " "), ";")
}

// Groups lists every group by name with its permission codes.
func (s *Service) Groups(ctx context.Context) ([]Group, error) {
	st := s.store
	return st.Groups().List(ctx)
}

// Group loads one group (ErrNotFound).
func (s *Service) Group(ctx context.Context, id int64) (*Group, error) {
	st := s.store
	return st.Groups().ByID(ctx, id)
}

// Permissions lists every permission, by code.
func (s *Service) Permissions(ctx context.Context) ([]auth.Perm, error) {
	st := s.store
	return st.Groups().Permissions(ctx)
}

// CreateGroup creates a group named name (ErrGroupTaken when a group has
// it in any case), audited.
func (s *Service) CreateGroup(ctx context.Context, name string, from Client) (*Group, error) {
	var g *Group
	err := s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		var err error
		g, err = tx.Groups().Create(ctx, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.Record(ctx, from, "group_created", 0, "", g.Name)
	s.log.Info("group created", "group", g.Name, "group_id", g.ID, "by_id", from.ActorID, "ip", from.IP)
	return g, nil
}

// SaveGroup renames group id and replaces its permissions with the known
// codes among codes, in one transaction; members hold the new set from
// their next request. Only a superuser may change a group they belong to
// (ErrOwnGroup), and nobody adds a permission they do not hold
// (ErrNotHeld): auth.CheckGroupEdit. A change is audited.
func (s *Service) SaveGroup(ctx context.Context, actor auth.Actor, id int64, name string, codes []string, from Client) (GroupChange, error) {
	var ch GroupChange
	err := s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		groups := tx.Groups()
		cur, err := groups.ByID(ctx, id)
		if err != nil {
			return err
		}
		if actor, err = actorIn(ctx, tx, actor); err != nil {
			return err
		}
		known, err := tx.Perms().Codes(ctx)
		if err != nil {
			return err
		}
		var added []string
		for _, code := range codes {
			if slices.Contains(known, code) && !slices.Contains(cur.Perms, code) {
				added = append(added, code)
			}
		}
		if err := auth.CheckGroupEdit(actor, id, added); err != nil {
			return err
		}
		ch.OldName, ch.NewName = cur.Name, name
		if name != cur.Name {
			if err := groups.Rename(ctx, id, name); err != nil {
				return err
			}
		}
		ch.Added, ch.Removed, err = groups.ReplacePerms(ctx, id, cur.Perms, codes)
		return err
	})
	if err != nil {
		return GroupChange{}, err
	}
	if ch.Any() {
		s.groupChanged(ctx, id)
		s.Record(ctx, from, "group_changed", 0, "", ch.String())
		s.log.Info("group changed", "group_id", id, "changes", ch.String(), "by_id", from.ActorID, "ip", from.IP)
	}
	return ch, nil
}

// DeleteGroup deletes group id (ErrNotFound); its members lose what it
// granted from their next request. Only a superuser may delete a group
// they belong to (ErrOwnGroup). Audited.
func (s *Service) DeleteGroup(ctx context.Context, actor auth.Actor, id int64, from Client) (*Group, error) {
	var g *Group
	err := s.store.InTx(ctx, func(ctx context.Context, tx Store) error {
		if _, err := tx.Groups().ByID(ctx, id); err != nil {
			return err
		}
		actor, err := actorIn(ctx, tx, actor)
		if err != nil {
			return err
		}
		if err := auth.CheckGroupEdit(actor, id, nil); err != nil {
			return err
		}
		g, err = tx.Groups().Delete(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.groupChanged(ctx, id)
	s.Record(ctx, from, "group_deleted", 0, "", g.Name)
	s.log.Info("group deleted", "group", g.Name, "group_id", id, "by_id", from.ActorID, "ip", from.IP)
	return g, nil
}
