package account

import (
	"context"

	"github.com/gatehouse/gatehouse/auth"
)

// ClearLockout lets staff lift a user's sign-in lockout at once instead of
// waiting out the window: the account's failure counter and those of the
// login names that reach it (its username and email) are forgotten. The
// caller checked users.change; like every admin change of a user it is
// refused for accounts the actor may not manage. Recorded as lockout_cleared.
func (s *Service) ClearLockout(ctx context.Context, actor auth.Actor, userID int64, from Client) error {
	u, err := s.store.Users().ByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.canManage(ctx, s.store, actor, userID); err != nil {
		return err
	}
	names := []string{auth.NormalizeLogin(u.Username).Name, auth.NormalizeLogin(u.Email).Name}
	if err := s.limiter.ClearLogin(ctx, u.ID, names...); err != nil {
		return err
	}
	s.Record(ctx, from, "lockout_cleared", u.ID, u.Username, "")
	s.log.Info("sign-in lockout cleared by admin", "by_id", from.ActorID, "user", u.Username, "user_id", u.ID, "ip", from.IP)
	return nil
}
