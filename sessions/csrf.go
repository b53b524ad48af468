package sessions

import (
	"github.com/gofiber/fiber/v3"
)

// CSRFSecret is the random secret the CSRF tokens of this request's
// signed-in session are bound to, made at sign-in and kept with the
// session (so it survives Rotate and is shared by every instance); ok is
// false when nobody is signed in, and an anonymous request writes nothing.
func (m *Manager) CSRFSecret(c fiber.Ctx) (secret string, ok bool) {
	st := stateOf(c)
	if !st.signedIn() {
		return "", false
	}
	if st.rec.CSRF == "" {
		// A session started before secrets were made at sign-in.
		st.rec.CSRF = newID()
		st.dirty = true
	}
	return st.rec.CSRF, true
}
