package sessions

import (
	"crypto/rand"
	"encoding/base64"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/session"
)

// keyCSRF is the session's own random CSRF secret.
const keyCSRF = "csrf"

// CSRFSecret is the random secret the CSRF tokens of this request's
// signed-in session are bound to, made on first use and kept with the
// session (so it survives Rotate and is shared by every instance); ok is
// false when nobody is signed in, and an anonymous request writes nothing.
func (m *Manager) CSRFSecret(c fiber.Ctx) (secret string, ok bool) {
	s := session.FromContext(c)
	if s == nil {
		return "", false
	}
	if uid, _ := s.Get(keyUserID).(int64); uid == 0 {
		return "", false
	}
	if v, _ := s.Get(keyCSRF).(string); v != "" {
		return v, true
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	v := base64.RawURLEncoding.EncodeToString(b[:])
	s.Set(keyCSRF, v)
	return v, true
}
