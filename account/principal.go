package account

import (
	"context"
	"fmt"

	"github.com/gatehouse/gatehouse/auth"
)

// Signed is a signed-in user with what they may do.
type Signed struct {
	User      *auth.User
	Principal auth.Principal
}

// Principal loads a session's user with its permissions. An inactive or
// deleted user is ErrNotFound: their session ends.
func (s *Service) Principal(ctx context.Context, userID int64) (*Signed, error) {
	u, err := s.store.Users().ByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !u.IsActive {
		return nil, fmt.Errorf("user %d inactive: %w", userID, ErrNotFound)
	}
	return s.principalOf(ctx, s.store, u)
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
