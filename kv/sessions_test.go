package kv_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/kv"
)

const sid = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

func sessionsStore(t *testing.T) kv.Sessions {
	t.Helper()
	s, ok := testenv.OpenStore(t, testenv.OpenDB(t)).(kv.Sessions)
	if !ok {
		t.Fatal("the store cannot read sessions with principals")
	}
	return s
}

// A session read brings the user's cached principal only while the user's
// version and every epoch of its groups are those it was filled under.
func TestPrincipalFollowsVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sessionsStore(t)
	if r, err := s.ReadSession(ctx, sid); err != nil || r.Data != nil {
		t.Fatalf("missing session: %+v %v", r, err)
	}
	testenv.Must(t, s.WriteSession(ctx, sid, 7, []byte(`{"u":7}`), time.Hour))
	read := func() kv.SessionRead {
		t.Helper()
		r, err := s.ReadSession(ctx, sid)
		testenv.Must(t, err)
		if string(r.Data) != `{"u":7}` || r.UserID != 7 {
			t.Fatalf("session: %+v", r)
		}
		return r
	}
	if r := read(); r.Principal != nil {
		t.Fatalf("principal before a fill: %s", r.Principal)
	}
	fill := func(payload string) bool {
		t.Helper()
		tag, err := s.Versions(ctx, 7, []int64{3, 4})
		testenv.Must(t, err)
		ok, err := s.FillPrincipal(ctx, 7, tag, []byte(payload), time.Minute)
		testenv.Must(t, err)
		return ok
	}
	if !fill(`{"n":1}`) {
		t.Fatal("fill refused")
	}
	if r := read(); string(r.Principal) != `{"n":1}` {
		t.Fatalf("after fill: %q", r.Principal)
	}
	// Another group's change leaves it alone; its own groups' and the
	// user's invalidate it.
	testenv.Must(t, s.Bump(ctx, []int64{8}, []int64{5}, time.Hour))
	if r := read(); string(r.Principal) != `{"n":1}` {
		t.Fatalf("after unrelated bumps: %q", r.Principal)
	}
	testenv.Must(t, s.Bump(ctx, nil, []int64{4}, time.Hour))
	if r := read(); r.Principal != nil {
		t.Fatalf("after its group changed: %q", r.Principal)
	}
	if !fill(`{"n":2}`) {
		t.Fatal("refill refused")
	}
	if r := read(); string(r.Principal) != `{"n":2}` {
		t.Fatalf("after refill: %q", r.Principal)
	}
	testenv.Must(t, s.Bump(ctx, []int64{7}, nil, time.Hour))
	if r := read(); r.Principal != nil {
		t.Fatalf("after the user changed: %q", r.Principal)
	}
}

// A fill whose versions were read before a change committed (and bumped)
// is refused: it cannot overwrite, nor be served as, the current state.
func TestStaleFillIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sessionsStore(t)
	testenv.Must(t, s.WriteSession(ctx, sid, 9, []byte(`{"u":9}`), time.Hour))
	for _, bump := range []struct {
		name          string
		users, groups []int64
	}{{"user", []int64{9}, nil}, {"group", nil, []int64{2}}} {
		tag, err := s.Versions(ctx, 9, []int64{1, 2})
		testenv.Must(t, err)
		// The change commits and bumps while the fill reads the database.
		testenv.Must(t, s.Bump(ctx, bump.users, bump.groups, time.Hour))
		ok, err := s.FillPrincipal(ctx, 9, tag, []byte(`{"stale":true}`), time.Minute)
		testenv.Must(t, err)
		if ok {
			t.Errorf("%s bump: stale fill written", bump.name)
		}
		if r, _ := s.ReadSession(ctx, sid); r.Principal != nil {
			t.Errorf("%s bump: stale principal served: %q", bump.name, r.Principal)
		}
		// A fill read after the bump is taken.
		fresh, err := s.Versions(ctx, 9, []int64{1, 2})
		testenv.Must(t, err)
		ok, err = s.FillPrincipal(ctx, 9, fresh, []byte(`{"fresh":true}`), time.Minute)
		testenv.Must(t, err)
		if r, _ := s.ReadSession(ctx, sid); !ok || string(r.Principal) != `{"fresh":true}` {
			t.Errorf("%s bump: fresh fill: %v %q", bump.name, ok, r.Principal)
		}
		// A late stale fill does not overwrite the fresh one.
		if ok, _ := s.FillPrincipal(ctx, 9, tag, []byte(`{"stale":true}`), time.Minute); ok {
			t.Errorf("%s bump: late stale fill overwrote the fresh one", bump.name)
		}
		if r, _ := s.ReadSession(ctx, sid); string(r.Principal) != `{"fresh":true}` {
			t.Errorf("%s bump: after a late stale fill: %q", bump.name, r.Principal)
		}
	}
	// Versions never repeat: each bump is a new token.
	a, _ := s.Versions(ctx, 9, nil)
	testenv.Must(t, s.Bump(ctx, []int64{9}, nil, time.Hour))
	b, _ := s.Versions(ctx, 9, nil)
	if a.User == b.User || b.User == "" {
		t.Fatalf("bump did not change the version: %q → %q", a.User, b.User)
	}
}
