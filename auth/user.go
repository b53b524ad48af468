package auth

import "time"

// User is an account. Username and email are kept as typed; the *_key
// fields hold the case-folded forms that uniqueness compares. The struct
// tags name the columns for the storage adapter; nothing here depends on it.
type User struct {
	ID                int64      `bun:"id,pk,autoincrement"`
	Username          string     `bun:"username,notnull"`
	UsernameKey       string     `bun:"username_key,notnull"`
	Email             string     `bun:"email,notnull"`
	EmailKey          string     `bun:"email_key,notnull"`
	PasswordHash      string     `bun:"password_hash,notnull"`
	IsActive          bool       `bun:"is_active,notnull"`
	IsStaff           bool       `bun:"is_staff,notnull"`
	IsSuperuser       bool       `bun:"is_superuser,notnull"`
	EmailVerified     bool       `bun:"email_verified,notnull"`
	DateJoined        time.Time  `bun:"date_joined,notnull"`
	LastLogin         *time.Time `bun:"last_login"`
	PasswordChangedAt time.Time  `bun:"password_changed_at,notnull"`
}

// Token kinds: what a mailed link does.
const (
	TokenVerifyEmail   = "verify_email"   // confirms the user's current address
	TokenEmailChange   = "email_change"   // confirms a new address, which then replaces the old
	TokenPasswordReset = "password_reset" // sets a new password
)

// Token is a mailed link's server half: the selector finds it, and only a
// keyed hash of the verifier is kept.
type Token struct {
	ID           int64      `bun:"id,pk,autoincrement"`
	Kind         string     `bun:"kind,notnull"`
	Selector     string     `bun:"selector,notnull"`
	VerifierHash []byte     `bun:"verifier_hash,notnull"`
	UserID       int64      `bun:"user_id,notnull"`
	Email        string     `bun:"email,notnull"` // the address the link was sent to
	CreatedAt    time.Time  `bun:"created_at,notnull"`
	ExpiresAt    time.Time  `bun:"expires_at,notnull"`
	UsedAt       *time.Time `bun:"used_at"`
}

// Live reports whether the token is unused and unexpired at now.
func (t *Token) Live(now time.Time) bool {
	return t.UsedAt == nil && now.Before(t.ExpiresAt)
}
