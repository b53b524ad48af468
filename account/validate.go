package account

import "context"

// AllowValidation counts an inline check of the sign-up form against the
// client address's limit: *RateLimitedError beyond it. Each check reads
// the users table, so a script cannot use it to list names at full speed.
func (s *Service) AllowValidation(ctx context.Context, from Client) error {
	res, err := s.limiter.Validate(ctx, from.IP)
	if err != nil {
		return err
	}
	if blocked, wait := res.Blocked(); blocked {
		s.log.Warn("inline validation refused: rate limit", "ip", from.IP)
		return &RateLimitedError{RetryAfter: wait}
	}
	for _, key := range res.Tripped() {
		s.Record(ctx, from, "rate_limited", 0, "", key)
	}
	return nil
}
