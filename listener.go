package gatehouse

import (
	"net"
	"net/netip"
	"sync"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/auth"
)

// MaxConnsPerAddr is how many connections one client address may hold open
// at once (IPv6 addresses count per /64): enough for an office behind one
// NAT address, each browser keeping a few connections alive. Trusted
// proxies (GATEHOUSE_TRUSTED_PROXIES) are exempt: every client behind them
// shares their address.
const MaxConnsPerAddr = 256

// Listen serves App on addr through Listener, until lc.GracefulContext
// ends.
func (g *Gatehouse) Listen(addr string, lc fiber.ListenConfig) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return g.App().Listener(g.Listener(ln), lc)
}

// Listener wraps ln so that one client address holds at most
// MaxConnsPerAddr connections: a further one is closed as soon as it is
// accepted. Trusted proxies are exempt. Serve a Fiber app that mounts
// Gatehouse through it (app.Listener(g.Listener(ln), …)).
func (g *Gatehouse) Listener(ln net.Listener) net.Listener {
	return newLimitListener(ln, MaxConnsPerAddr, g.proxies)
}

type limitListener struct {
	net.Listener
	max     int
	proxies *auth.TrustedProxies

	mu   sync.Mutex
	open map[netip.Addr]int
}

func newLimitListener(ln net.Listener, max int, proxies *auth.TrustedProxies) *limitListener {
	return &limitListener{Listener: ln, max: max, proxies: proxies, open: map[netip.Addr]int{}}
}

// Accept returns the next connection whose address is under its cap.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key, limited := l.key(c.RemoteAddr())
		if !limited {
			return c, nil
		}
		l.mu.Lock()
		over := l.open[key] >= l.max
		if !over {
			l.open[key]++
		}
		l.mu.Unlock()
		if over {
			_ = c.Close()
			continue
		}
		return &limitedConn{Conn: c, release: func() { l.release(key) }}, nil
	}
}

// key is the address a connection counts against; limited is false for
// trusted proxies and for connections that have no IP address.
func (l *limitListener) key(a net.Addr) (key netip.Addr, limited bool) {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return netip.Addr{}, false
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	if !ok {
		return netip.Addr{}, false
	}
	ip = ip.Unmap()
	if l.proxies.Trusts(ip) {
		return netip.Addr{}, false
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		ip = p.Addr()
	}
	return ip, true
}

func (l *limitListener) release(key netip.Addr) {
	l.mu.Lock()
	if l.open[key]--; l.open[key] <= 0 {
		delete(l.open, key)
	}
	l.mu.Unlock()
}

// limitedConn gives its address's slot back when closed (once).
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
