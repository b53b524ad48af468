package auth

import "testing"

// Short name parts (three letters or fewer) are compared by similarity
// ratio only: a user called "ann" may still use "planning a long trip".
func TestShortPartsDoNotBlockContainment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		password, username, email string
		similar                   bool
	}{
		{"planning a long trip", "ann", "ann@example.com", false},
		{"password from the environment", "envadmin", "env@example.com", false},
		{"robert1234!", "robert", "r@example.com", true},
		{"xx-roberta-xx", "other", "roberta@example.com", true},
	} {
		if got := tooSimilar(tc.password, tc.username, tc.email); got != tc.similar {
			t.Errorf("tooSimilar(%q, %q, %q) = %v", tc.password, tc.username, tc.email, got)
		}
	}
}
