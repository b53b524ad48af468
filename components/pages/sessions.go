package pages

import "time"

// SessionRow is one active session as the sessions pages show it. Handle
// names it in forms; the session id itself never reaches a page.
type SessionRow struct {
	Handle   string
	Browser  string // "Firefox 128"
	OS       string // "Linux"
	IP       string
	Started  time.Time
	LastSeen time.Time
	Current  bool
	Remember bool
}

// SessionsView is /account/sessions.
type SessionsView struct {
	Rows []SessionRow
	Now  time.Time
	CSRF string
}

// hasOthers reports whether any row is not the current session.
func hasOthers(rows []SessionRow) bool {
	for _, r := range rows {
		if !r.Current {
			return true
		}
	}
	return false
}
