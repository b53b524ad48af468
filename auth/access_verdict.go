package auth

import "slices"

// Verdict is forward-auth's answer for one request.
type Verdict uint8

// The verdicts: let through, send to sign in, refuse.
const (
	Allow Verdict = iota + 1
	NeedSignIn
	Refuse
)

// Decide says whether who meets the level: who is nil for an anonymous
// visitor, secondFactor whether the session passed a second factor. deny
// refuses everyone; every level above public needs a signed-in, active
// user first.
func (l Level) Decide(who *Principal, secondFactor bool) Verdict {
	switch l.Kind {
	case LevelPublic:
		return Allow
	case LevelDeny:
		return Refuse
	}
	if who == nil {
		return NeedSignIn
	}
	if !who.IsActive {
		return Refuse
	}
	ok := false
	switch l.Kind {
	case LevelLogin:
		ok = true
	case LevelTwoFactor:
		ok = secondFactor
	case LevelStaff:
		ok = who.IsStaff
	case LevelSuperuser:
		ok = who.IsSuperuser
	case LevelPerm:
		ok = who.HasPerm(l.Arg)
	case LevelGroup:
		ok = slices.Contains(who.Groups, l.Arg)
	}
	if ok {
		return Allow
	}
	return Refuse
}
