package auth

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// TrustedProxies is the set of networks whose X-Forwarded-For entries are
// believed. A nil *TrustedProxies trusts nothing.
type TrustedProxies struct {
	prefixes []netip.Prefix
}

// ParseTrustedProxies parses a comma-separated list of CIDR prefixes or bare
// addresses (a bare address is a /32 or /128); spaces around entries and
// empty entries are ignored. An empty list trusts nothing.
func ParseTrustedProxies(s string) (*TrustedProxies, error) {
	t := &TrustedProxies{}
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		p, err := parseProxyPrefix(entry)
		if err != nil {
			return nil, fmt.Errorf("auth: parse trusted proxies: %q: %w", truncate(entry, 64), err)
		}
		t.prefixes = append(t.prefixes, p)
	}
	return t, nil
}

func parseProxyPrefix(s string) (netip.Prefix, error) {
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return netip.Prefix{}, err
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if a.Zone() != "" {
			// Prefixes with zones never contain anything.
			return netip.Prefix{}, errors.New("zoned addresses are not supported")
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	// Remote addresses are unmapped before matching (see parseIP), so an
	// IPv4-mapped IPv6 prefix must become the IPv4 prefix it denotes.
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// contains reports whether a is in a trusted network.
func (t *TrustedProxies) contains(a netip.Addr) bool {
	if t == nil {
		return false
	}
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP returns the address of the client that made a request which
// reached us from remoteIP with the given X-Forwarded-For header values.
//
// Only entries appended by trusted proxies can be believed, and each proxy
// appends on the right, so the walk goes from the right and stops at the
// first address that is not a trusted proxy: that is the client, and
// anything further left is whatever the client chose to send. If remoteIP
// itself is not trusted the header is ignored. An unparsable entry ends
// the walk at the last good address, so the result is always an address
// (in canonical form, IPv4-mapped addresses unmapped) unless remoteIP
// itself is not one, in which case it is returned unchanged.
func (t *TrustedProxies) ClientIP(remoteIP string, xff []string) string {
	remote, ok := parseIP(remoteIP)
	if !ok {
		return remoteIP
	}
	if !t.contains(remote) {
		return remote.String()
	}
	last := remote
	entries := strings.Split(strings.Join(xff, ","), ",")
	for i := len(entries) - 1; i >= 0; i-- {
		e := strings.TrimSpace(entries[i])
		if e == "" {
			continue // from an empty header value or a stray comma
		}
		a, ok := parseIP(e)
		if !ok {
			break
		}
		if !t.contains(a) {
			return a.String()
		}
		last = a
	}
	return last.String()
}

// parseIP parses an address as found in RemoteAddr-like values or
// X-Forwarded-For entries, which some proxies write with a port
// ("192.0.2.1:443", "[2001:db8::1]:443"). Zones are dropped: they are
// meaningless off the local link and would make the same client appear
// under several keys.
func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	return a.WithZone("").Unmap(), true
}
