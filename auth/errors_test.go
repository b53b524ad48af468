package auth

import (
	"errors"
	"fmt"
	"testing"
)

func TestRuleError(t *testing.T) {
	t.Parallel()
	var err error = &RuleError{Rule: "length", Message: "Use at least 8 characters."}
	if err.Error() != "Use at least 8 characters." {
		t.Fatalf("Error() = %q", err.Error())
	}
	wrapped := fmt.Errorf("sign-up: %w", err)
	var re *RuleError
	if !errors.As(wrapped, &re) || re.Rule != "length" {
		t.Fatalf("errors.As through wrapping failed: %v", wrapped)
	}
}
