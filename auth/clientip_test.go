package auth

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{"   ", nil, false},
		{",", nil, false},
		{"10.0.0.0/8", []string{"10.0.0.0/8"}, false},
		{" 10.0.0.0/8 , 192.168.1.7 ,fd00::/8 ", []string{"10.0.0.0/8", "192.168.1.7/32", "fd00::/8"}, false},
		{"2001:db8::1", []string{"2001:db8::1/128"}, false},
		{"10.1.2.3/8", []string{"10.0.0.0/8"}, false}, // host bits masked
		{"::ffff:10.0.0.0/104", []string{"10.0.0.0/8"}, false},
		{"::ffff:10.0.0.1", []string{"10.0.0.1/32"}, false},
		{"10.0.0.0/8,", []string{"10.0.0.0/8"}, false},

		{"10.0.0.0/33", nil, true},
		{"10.0.0", nil, true},
		{"localhost", nil, true},
		{"10.0.0.0/8;192.168.0.0/16", nil, true},
		{"fe80::1%eth0", nil, true},
		{"10.0.0.1:80", nil, true},
	}
	for _, tt := range tests {
		tp, err := ParseTrustedProxies(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseTrustedProxies(%q) succeeded, want error", tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTrustedProxies(%q): %v", tt.in, err)
			continue
		}
		var got []string
		for _, p := range tp.prefixes {
			got = append(got, p.String())
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("ParseTrustedProxies(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	tp, err := ParseTrustedProxies("10.0.0.0/8, 2001:db8:cafe::/48, 192.0.2.10")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		tp     *TrustedProxies
		remote string
		xff    []string
		want   string
	}{
		{"untrusted remote ignores header", tp, "203.0.113.5", []string{"198.51.100.1"}, "203.0.113.5"},
		{"nil receiver trusts nothing", nil, "10.0.0.1", []string{"198.51.100.1"}, "10.0.0.1"},
		{"empty list trusts nothing", &TrustedProxies{}, "10.0.0.1", []string{"198.51.100.1"}, "10.0.0.1"},
		{"trusted remote, no header", tp, "10.0.0.1", nil, "10.0.0.1"},
		{"trusted remote, empty header", tp, "10.0.0.1", []string{""}, "10.0.0.1"},
		{"one hop", tp, "10.0.0.1", []string{"198.51.100.1"}, "198.51.100.1"},
		{"spoofed left part ignored", tp, "10.0.0.1", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"chain of proxies", tp, "10.0.0.1", []string{"1.1.1.1, 198.51.100.1, 10.2.3.4, 192.0.2.10"}, "198.51.100.1"},
		{"several header values", tp, "10.0.0.1", []string{"1.1.1.1, 198.51.100.1", "10.2.3.4"}, "198.51.100.1"},
		{"all trusted gives leftmost", tp, "10.0.0.1", []string{"10.9.9.9, 10.2.3.4"}, "10.9.9.9"},
		{"invalid rightmost gives remote", tp, "10.0.0.1", []string{"198.51.100.1, garbage"}, "10.0.0.1"},
		{"invalid stops walk", tp, "10.0.0.1", []string{"198.51.100.1, unknown, 10.2.3.4"}, "10.2.3.4"},
		{"empty entries skipped", tp, "10.0.0.1", []string{"198.51.100.1,, 10.2.3.4,"}, "198.51.100.1"},
		{"ipv6 client", tp, "10.0.0.1", []string{"2001:DB8:1::0001"}, "2001:db8:1::1"},
		{"ipv6 proxy", tp, "2001:db8:cafe::5", []string{"198.51.100.1, 2001:db8:cafe::9"}, "198.51.100.1"},
		{"with ports", tp, "10.0.0.1:4431", []string{"198.51.100.1:5555, [2001:db8:cafe::9]:443"}, "198.51.100.1"},
		{"bracketed ipv6 with port", tp, "10.0.0.1", []string{"[2001:db8:1::1]:80"}, "2001:db8:1::1"},
		{"mapped remote is trusted", tp, "::ffff:10.0.0.1", []string{"198.51.100.1"}, "198.51.100.1"},
		{"mapped client unmapped", tp, "10.0.0.1", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"zone dropped", tp, "10.0.0.1", []string{"fe80::1%eth0"}, "fe80::1"},
		{"canonical remote", nil, "2001:DB8::0001", nil, "2001:db8::1"},
		{"unparsable remote returned as is", tp, "not-an-ip", []string{"198.51.100.1"}, "not-an-ip"},
		{"header injection chars", tp, "10.0.0.1", []string{"198.51.100.1\r\nX: y"}, "10.0.0.1"},
		{"obfuscated ipv4 rejected", tp, "10.0.0.1", []string{"0x7f.1"}, "10.0.0.1"},
	}
	for _, tt := range tests {
		if got := tt.tp.ClientIP(tt.remote, tt.xff); got != tt.want {
			t.Errorf("%s: ClientIP(%q, %q) = %q, want %q", tt.name, tt.remote, tt.xff, got, tt.want)
		}
	}
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.0/8, 2001:db8::/32", "10.0.0.1", "1.2.3.4, 10.0.0.2")
	f.Add("", "192.0.2.1", "")
	f.Add("0.0.0.0/0,::/0", "::1", "garbage,1.1.1.1")
	f.Add("1.2.3.4", "[::1]:80", "[2001:db8::1]:443,,")
	f.Fuzz(func(t *testing.T, trusted, remote, xff string) {
		tp, err := ParseTrustedProxies(trusted)
		if err != nil {
			if tp != nil {
				t.Fatalf("ParseTrustedProxies(%q) returned a value with an error", trusted)
			}
			return
		}
		for _, p := range tp.prefixes {
			if !p.IsValid() || p != p.Masked() || p.Addr().Is4In6() {
				t.Fatalf("ParseTrustedProxies(%q) produced %v", trusted, p)
			}
		}
		got := tp.ClientIP(remote, strings.Split(xff, "\n"))
		if got == remote {
			return
		}
		// Anything other than the remote string is a canonical address.
		a, err := netip.ParseAddr(got)
		if err != nil || a.String() != got || a.Zone() != "" || a.Is4In6() {
			t.Fatalf("ClientIP(%q, %q) with %q = %q, not a canonical address", remote, xff, trusted, got)
		}
	})
}

func BenchmarkClientIP(b *testing.B) {
	tp, err := ParseTrustedProxies("10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		remote string
		xff    []string
	}{
		{"untrusted", "203.0.113.5", []string{"198.51.100.1"}},
		{"two hops", "10.0.0.1", []string{"1.1.1.1, 198.51.100.1, 10.2.3.4"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tp.ClientIP(bc.remote, bc.xff)
			}
		})
	}
}
