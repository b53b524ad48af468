package auth

import (
	"testing"
	"time"
)

func TestDefaultLimits(t *testing.T) {
	t.Parallel()
	d := DefaultLimits()
	tests := []struct {
		name string
		got  Limit
		want Limit
	}{
		{"login account", d.LoginAccount, Limit{5, 15 * time.Minute}},
		{"login name", d.LoginName, Limit{5, 15 * time.Minute}},
		{"login ip", d.LoginIP, Limit{50, 15 * time.Minute}},
		{"signup", d.SignupIP, Limit{20, time.Minute}},
		{"reset address", d.ResetAddress, Limit{5, time.Hour}},
		{"reset ip", d.ResetIP, Limit{20, time.Hour}},
		{"validate ip", d.ValidateIP, Limit{300, 5 * time.Minute}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
}

func TestParseRateLimits(t *testing.T) {
	t.Parallel()
	l, err := ParseRateLimits(" login_account=3/1h, login_ip=100/30s,signup_ip=2/1m,reset_address=1/24h,reset_ip=7/15m,validate_ip=10/5m,login_name=4/2m ")
	if err != nil {
		t.Fatal(err)
	}
	want := Limits{
		LoginAccount: Limit{3, time.Hour}, LoginName: Limit{4, 2 * time.Minute}, LoginIP: Limit{100, 30 * time.Second},
		SignupIP: Limit{2, time.Minute}, ResetAddress: Limit{1, 24 * time.Hour}, ResetIP: Limit{7, 15 * time.Minute},
		ValidateIP: Limit{10, 5 * time.Minute},
	}
	if l != want {
		t.Fatalf("got %+v\nwant %+v", l, want)
	}
	if l, err := ParseRateLimits(""); err != nil || l != DefaultLimits() {
		t.Fatalf("empty: %+v, %v", l, err)
	}
	// Names left out keep their default.
	if l, err := ParseRateLimits("login_ip=9/1m"); err != nil || l.LoginIP != (Limit{9, time.Minute}) || l.LoginAccount != DefaultLimits().LoginAccount {
		t.Fatalf("one override: %+v, %v", l, err)
	}
	for _, bad := range []string{
		"login_ip", "login_ip=", "login_ip=50", "login_ip=50/", "login_ip=/15m", "login_ip=0/15m", "login_ip=-1/15m",
		"login_ip=50/15", "login_ip=50/15d", "login_ip=50/0m", "login_ip=50/1.5h", "login_ip=50/25h", "login_ip=50/ 15m x",
		"login_ip=2000000/1m", "logins=5/1m", "login_ip=5/1m,login_ip=6/1m", "login_ip=5/+1m",
	} {
		if _, err := ParseRateLimits(bad); err == nil {
			t.Errorf("ParseRateLimits(%q) accepted", bad)
		}
	}
	for _, l := range []Limit{{50, 15 * time.Minute}, {20, time.Minute}, {5, time.Hour}, {3, 30 * time.Second}} {
		if got, err := parseLimit(l.String()); err != nil || got != l {
			t.Errorf("round trip of %+v: %q → %+v, %v", l, l.String(), got, err)
		}
	}
}

func TestExceeded(t *testing.T) {
	t.Parallel()
	l := Limit{Max: 5, Window: time.Minute}
	tests := []struct {
		count int
		want  bool
	}{
		{-1, false}, {0, false}, {4, false}, {5, true}, {6, true}, {1 << 30, true},
	}
	for _, tt := range tests {
		if got := Exceeded(tt.count, l); got != tt.want {
			t.Errorf("Exceeded(%d, %+v) = %v, want %v", tt.count, l, got, tt.want)
		}
	}
	if !Exceeded(0, Limit{}) {
		t.Error("a zero Limit allows nothing, so Exceeded(0, Limit{}) should be true")
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ttl  time.Duration
		want int
	}{
		{-2 * time.Second, 1}, // Redis: key missing
		{-1, 1},
		{0, 1},
		{time.Nanosecond, 1},
		{999 * time.Millisecond, 1},
		{time.Second, 1},
		{time.Second + time.Nanosecond, 2},
		{1500 * time.Millisecond, 2},
		{59 * time.Second, 59},
		{15 * time.Minute, 900},
		{time.Hour - time.Millisecond, 3600},
	}
	for _, tt := range tests {
		if got := RetryAfterSeconds(tt.ttl); got != tt.want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", tt.ttl, got, tt.want)
		}
	}
}

func BenchmarkRetryAfterSeconds(b *testing.B) {
	for b.Loop() {
		RetryAfterSeconds(1500 * time.Millisecond)
	}
}
