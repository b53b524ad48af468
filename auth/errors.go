package auth

// RuleError reports input that breaks a validation rule. Message is written
// for the person filling in the form, so handlers can show it verbatim;
// Rule identifies the rule for code that needs to branch on it (for the
// password rules it equals the PasswordCheck ID).
type RuleError struct {
	Rule    string
	Message string
}

func (e *RuleError) Error() string { return e.Message }

// Rule names used by ValidateUsername and ValidateEmail. The password
// rules use their checklist IDs instead.
const (
	ruleRequired  = "required"
	ruleMaxLength = "max_length"
	ruleInvalid   = "invalid"
)

func ruleError(rule, message string) *RuleError {
	return &RuleError{Rule: rule, Message: message}
}
