package account

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/auth"
)

// Signed is a signed-in user with what they may do.
type Signed struct {
	User      *auth.User
	Principal auth.Principal
	// Pending, when known, is the user's email change awaiting
	// confirmation, read with the principal and cached with it, so the
	// account page needs no query; nil: not known, ask the database.
	Pending *PendingChange
}

// PendingChange is an email change awaiting confirmation (Address "" for
// none) and when its link expires.
type PendingChange struct {
	Address string
	Until   time.Time
}

// Principal loads a session's user with its permissions from the database
// and caches it (the session layer found none valid). An inactive or
// deleted user is ErrNotFound: their session ends.
//
// The cache's versions are read before the database: the group ids first
// (a change of membership bumps the user's version, so the ids are stable
// against it), then the versions, then the user, permissions and group
// names. A change committed after the versions were read bumps one of
// them afterwards, so the entry is refused or found stale, never served.
func (s *Service) Principal(ctx context.Context, userID int64) (*Signed, error) {
	var tag PrincipalTag
	if s.cache != nil {
		gids, err := s.store.Perms().GroupIDsOfUser(ctx, userID)
		if err != nil {
			return nil, err
		}
		if tag, err = s.cache.Versions(ctx, userID, gids); err != nil {
			return nil, err
		}
	}
	u, err := s.store.Users().ByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !u.IsActive {
		return nil, fmt.Errorf("user %d inactive: %w", userID, ErrNotFound)
	}
	sg, err := s.principalOf(ctx, s.store, u)
	if err != nil {
		return nil, err
	}
	t, err := s.store.Tokens().Pending(ctx, userID, auth.TokenEmailChange, s.clock.Now())
	if err != nil {
		return nil, err
	}
	sg.Pending = &PendingChange{}
	if t != nil {
		sg.Pending = &PendingChange{Address: t.Email, Until: t.ExpiresAt}
	}
	if s.cache != nil {
		if err := s.cache.Fill(ctx, sg, tag); err != nil {
			s.log.Warn("principal cache fill failed", "user_id", userID, "err", err)
		}
	}
	return sg, nil
}

func (s *Service) principalOf(ctx context.Context, st Store, u *auth.User) (*Signed, error) {
	perms, err := st.Perms().OfUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	groups, err := st.Perms().GroupNamesOfUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return &Signed{User: u, Principal: auth.Principal{
		IsActive: u.IsActive, IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser, Perms: perms, Groups: groups,
	}}, nil
}

// usersChanged and groupChanged tell the principal cache about a
// committed change.
func (s *Service) usersChanged(ctx context.Context, ids ...int64) {
	if s.cache != nil && len(ids) > 0 {
		s.cache.UsersChanged(ctx, ids...)
	}
}

func (s *Service) groupChanged(ctx context.Context, id int64) {
	if s.cache != nil {
		s.cache.GroupChanged(ctx, id)
	}
}
