package account

import (
	"context"
	"errors"
	"time"
)

// ErrBusy: the server was too busy to check a password in time (every
// hashing slot taken until the request's deadline). Nothing was counted
// against any limit; handlers answer 503.
var ErrBusy = errors.New("too busy to check the password")

// busy reports whether a password check gave up for lack of time rather
// than finding the password wrong: its error is the context's, or the
// context ended while it waited (VerifyDummy reports nothing).
func busy(ctx context.Context, err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || ctx.Err() != nil
}

// releaseBusy takes back a reservation whose check never ran. The request's
// context is over by then, so the store is called on a short one of its own.
func (s *Service) releaseBusy(ctx context.Context, res Reservation, from Client, uid int64) error {
	if err := s.release(ctx, res); err != nil {
		return err
	}
	// Logged once nothing is counted any more: the answer may have gone
	// out already (the request's deadline), the release comes after it.
	s.log.Warn("password check skipped: server busy", "user_id", uid, "ip", from.IP)
	return ErrBusy
}

// release takes back an attempt's counts even when the request's deadline
// passed during the password check: a right password, or one never
// checked, must not be left counted as a failure.
func (s *Service) release(ctx context.Context, res Reservation) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	return res.Release(rctx)
}
