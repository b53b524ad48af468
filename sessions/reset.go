package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// resetPrefix names the short-lived entries that hold a password-reset
// token while its form is open, so the token can leave the address bar.
const resetPrefix = "pwreset:"

// resetIDLen is the length of a stash id: 32 random bytes, base64url.
var resetIDLen = base64.RawURLEncoding.EncodedLen(32)

// StashReset keeps a reset token on the server for ttl and returns the
// random id under which it is kept; the browser holds the id in a cookie.
// id may name the browser's earlier stash, which is then overwritten (the
// same browser opening links again keeps one entry); "" or an id of
// another form makes a new one.
func (m *Manager) StashReset(ctx context.Context, id, token string, ttl time.Duration) (string, error) {
	if !wellFormedResetID(id) {
		var b [32]byte
		_, _ = rand.Read(b[:])
		id = base64.RawURLEncoding.EncodeToString(b[:])
	}
	if err := m.kv.SetWithContext(ctx, resetPrefix+id, []byte(token), ttl); err != nil {
		return "", fmt.Errorf("stash reset token: %w", err)
	}
	return id, nil
}

// StashedReset returns the reset token kept under id, or "" when there is
// none (expired, dropped, or an id of another form, which is never looked
// up).
func (m *Manager) StashedReset(ctx context.Context, id string) (string, error) {
	if !wellFormedResetID(id) {
		return "", nil
	}
	v, err := m.kv.GetWithContext(ctx, resetPrefix+id)
	if err != nil {
		return "", fmt.Errorf("stashed reset token: %w", err)
	}
	return string(v), nil
}

// DropReset deletes the reset token kept under id.
func (m *Manager) DropReset(ctx context.Context, id string) error {
	if !wellFormedResetID(id) {
		return nil
	}
	if err := m.kv.DeleteWithContext(ctx, resetPrefix+id); err != nil {
		return fmt.Errorf("drop reset token: %w", err)
	}
	return nil
}

func wellFormedResetID(id string) bool {
	if len(id) != resetIDLen {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(id)
	return err == nil && len(b) == 32
}
