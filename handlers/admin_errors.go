package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
)

// adminAction names the admin page a refusal is shown on, for its message.
type adminAction int

const (
	adminSave     adminAction = iota // the user page's form
	adminBulk                        // a bulk action on the user list
	adminPassword                    // setting a user's password
	adminSessions                    // signing a user's sessions out
	adminGroup                       // creating or saving a group
	adminList                        // the user list
	adminAudit                       // the audit log
	adminUnlock                      // clearing a user's sign-in lockout
)

// refusal is how a page answers a refused admin action.
type refusal struct {
	Status int
	Title  string // for a problem page
	Msg    string
}

// adminRefusal maps the refusals of the admin use cases to a status and
// the words the page shows; ok is false for any other error.
func adminRefusal(err error, act adminAction) (r refusal, ok bool) {
	nothing := " Nothing was changed."
	if act == adminSave {
		nothing = " Nothing was saved."
	}
	switch {
	case errors.Is(err, account.ErrSelfDeactivate):
		return refusal{fiber.StatusConflict, "Refused", "You cannot deactivate your own account." + nothing}, true
	case errors.Is(err, account.ErrLastSuperuser):
		if act == adminSave {
			return refusal{fiber.StatusConflict, "Refused", "This is the last active superuser: it must stay active and a superuser." + nothing}, true
		}
		return refusal{fiber.StatusConflict, "Refused", "That would leave no active superuser." + nothing}, true
	case errors.Is(err, account.ErrSuperuserOnly):
		msg := "Only a superuser can change a superuser's account."
		switch act {
		case adminSave:
			msg = "Only a superuser can change a superuser's account or make someone a superuser."
		case adminPassword:
			msg = "Only a superuser can set a superuser's password."
		case adminSessions:
			msg = "Only a superuser can sign a superuser out."
		}
		return refusal{fiber.StatusForbidden, "Permission denied", msg + nothing}, true
	case errors.Is(err, account.ErrSelfEdit):
		return refusal{fiber.StatusForbidden, "Permission denied",
			"You cannot change your own flags, groups or permissions: ask another administrator." + nothing}, true
	case errors.Is(err, account.ErrOwnGroup):
		return refusal{fiber.StatusForbidden, "Permission denied",
			"You cannot change a group you belong to: ask another administrator." + nothing}, true
	case errors.Is(err, account.ErrNotHeld):
		msg := "You can only grant permissions you hold yourself (and staff status only if you have it)."
		if act == adminGroup {
			msg = "You can only add permissions you hold yourself to a group."
		}
		return refusal{fiber.StatusForbidden, "Permission denied", msg + nothing}, true
	case errors.Is(err, account.ErrOutranked):
		msg := "This account holds permissions or status you do not have, so you cannot change it."
		switch act {
		case adminPassword:
			msg = "This account holds permissions or status you do not have, so you cannot set its password."
		case adminSessions:
			msg = "This account holds permissions or status you do not have, so you cannot sign it out."
		}
		return refusal{fiber.StatusForbidden, "Permission denied", msg + nothing}, true
	case errors.Is(err, account.ErrSessionNotFound):
		return refusal{fiber.StatusNotFound, "Session not found",
			"That session has already ended. Reload the user's page to see the ones still active."}, true
	case errors.Is(err, account.ErrNoSessionChosen):
		return refusal{fiber.StatusBadRequest, "No session chosen",
			"Choose a session to sign out on the user's page, then try again."}, true
	case errors.Is(err, account.ErrGroupTaken):
		return refusal{fiber.StatusUnprocessableEntity, "Name taken", "A group with this name already exists."}, true
	case errors.Is(err, account.ErrBadCursor):
		msg := "This page link is not valid. Start again from the first page."
		if act == adminList {
			msg = "This page link is not valid for this list. Start again from the first page."
		}
		return refusal{fiber.StatusBadRequest, "Bad request", msg}, true
	case errors.Is(err, account.ErrTooMany):
		return refusal{fiber.StatusBadRequest, "Bad request", "Select at most " + itoa(account.MaxBulk) + " users at once."}, true
	}
	return refusal{}, false
}
