package auth

// TrustsRemote reports whether a connection from remoteIP comes from a
// trusted proxy, whose X-Forwarded-* headers may be believed.
func (t *TrustedProxies) TrustsRemote(remoteIP string) bool {
	a, ok := parseIP(remoteIP)
	return ok && t.contains(a)
}
