package handlers_test

import (
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Tampered page cursors are a 400 for every sort, both ways, on both
// databases: never a 500 (PostgreSQL refused an out-of-range "joined"
// time with an error).
func TestUserListGarbageCursorsAre400(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	root, _ := adminClient(t, env, "root", testenv.Superuser)
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	rng := rand.New(rand.NewPCG(9, 16))
	for _, sort := range []string{"username", "email", "joined", "last_login"} {
		// Each of these is refused: out of range for a time, not text, no id.
		mustBad := []string{
			enc(sort + "|\xff\xfe|1"), enc(sort + "|a\x00b|1"), enc(sort + "|1|0"), enc(sort + "|1|-5"),
			enc(sort + "|1|99999999999999999999"), enc(sort + "|1"), enc(sort), "!!", "%00",
		}
		if sort == "joined" || sort == "last_login" {
			mustBad = append(mustBad, enc(sort+"|9223372036854775807|1"), enc(sort+"|-9223372036854775808|1"),
				enc(sort+"|-99999999999999999|1"), enc(sort+"|253402300800000000|1")) // year 10000
		}
		bad := append([]string{enc(sort + "|99999999999999999|1"), enc(sort + "|zzz|7")}, mustBad...)
		for range 20 {
			b := make([]byte, rng.IntN(40))
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			bad = append(bad, base64.RawURLEncoding.EncodeToString(b))
		}
		for _, dir := range []string{"", "-"} {
			for _, which := range []string{"after", "before"} {
				for _, c := range bad {
					q := url.Values{"sort": {dir + sort}, which: {c}}
					r := root.Get("/admin/users?" + q.Encode())
					if r.StatusCode >= 500 {
						t.Fatalf("%s: %d\n%s", q.Encode(), r.StatusCode, r.Body)
					}
					// Only a well-formed cursor of this sort can be a page.
					if r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusOK {
						t.Errorf("%s: %d", q.Encode(), r.StatusCode)
					}
				}
				for _, c := range mustBad {
					q := url.Values{"sort": {dir + sort}, which: {c}}
					if r := root.Get("/admin/users?" + q.Encode()); r.StatusCode != http.StatusBadRequest {
						t.Errorf("%s: %d, want 400", q.Encode(), r.StatusCode)
					}
				}
			}
		}
	}
}
