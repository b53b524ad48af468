package auth

import (
	"testing"
	"time"
)

func TestLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  Limit
		want Limit
	}{
		{"login account", LoginLimits.Account, Limit{5, 15 * time.Minute}},
		{"login name", LoginLimits.Name, Limit{5, 15 * time.Minute}},
		{"login ip", LoginLimits.IP, Limit{20, 15 * time.Minute}},
		{"signup", SignupLimit, Limit{20, time.Hour}},
		{"reset address", ResetLimits.Address, Limit{5, time.Hour}},
		{"reset ip", ResetLimits.IP, Limit{20, time.Hour}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %+v, want %+v", tt.name, tt.got, tt.want)
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
