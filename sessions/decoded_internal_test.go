package sessions

import (
	"fmt"
	"testing"
)

// The decode memo answers the same bytes with the same
// principal, other bytes with their own, refuses what does not decode and
// stays within its bound.
func TestDecodeMemo(t *testing.T) {
	t.Parallel()
	var d decodeMemo[cached]
	a := []byte(`{"user":{"ID":7,"Username":"ann"},"principal":{"IsActive":true,"Groups":["ops"]}}`)
	p1, ok := d.get(a)
	if !ok || p1.User.ID != 7 || p1.User.Username != "ann" || len(p1.Principal.Groups) != 1 {
		t.Fatalf("decoded %+v, %v", p1, ok)
	}
	if p2, _ := d.get(append([]byte(nil), a...)); p2 != p1 {
		t.Fatal("the same bytes were decoded again")
	}
	b := []byte(`{"user":{"ID":8,"Username":"bob"},"principal":{"IsActive":true}}`)
	if p3, _ := d.get(b); p3 == p1 || p3.User.ID != 8 {
		t.Fatalf("other bytes gave %+v", p3)
	}
	if _, ok := d.get([]byte(`{"user":`)); ok {
		t.Fatal("a broken entry decoded")
	}
	for i := range maxDecoded + 10 {
		d.get(fmt.Appendf(nil, `{"user":{"ID":%d},"principal":{"IsActive":true}}`, i+100))
	}
	if n := len(d.m); n > maxDecoded {
		t.Fatalf("%d entries remembered, bound %d", n, maxDecoded)
	}
}
