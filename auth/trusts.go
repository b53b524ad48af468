package auth

import "net/netip"

// Trusts reports whether a (IPv4-mapped addresses unmapped) is in one of
// the trusted proxies' networks.
func (t *TrustedProxies) Trusts(a netip.Addr) bool { return t.contains(a.Unmap()) }
