package chaos

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// balancer is a round-robin HTTP load balancer in front of the instances.
// Like a production one it sends a request to the next instance when the
// connection is refused (an instance that is stopping has closed its
// listener) or a GET gets no answer; a POST that an instance took and
// dropped without an answer is answered 502 and counted as lost. Connections to the instances are not kept
// alive, so a stopping instance never closes an idle one under a request.
type balancer struct {
	backends []string // http://host:port
	next     atomic.Uint64
	tr       *http.Transport
	// failovers counts requests sent to another instance; lost counts 502s.
	failovers, lost atomic.Int64
	mu              sync.Mutex
	lostWhy         []string // the first few lost requests, with their errors
}

func (b *balancer) lose(r *http.Request, why string) {
	b.lost.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.lostWhy) < 5 {
		b.lostWhy = append(b.lostWhy, time.Now().Format("15:04:05.000")+" "+r.Method+" "+r.URL.Path+": "+why)
	}
}

func newBalancer(backends []string) *balancer {
	return &balancer{backends: backends, tr: &http.Transport{
		DisableKeepAlives:     true,
		DialContext:           (&net.Dialer{Timeout: time.Second}).DialContext,
		ResponseHeaderTimeout: 30 * time.Second,
	}}
}

var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	start := b.next.Add(1)
	n := uint64(len(b.backends))
	for i := uint64(0); i < n; i++ {
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.URL.Scheme, out.URL.Host = "http", b.backends[(start+i)%n][len("http://"):]
		out.Host = r.Host // the public host, as a reverse proxy keeps it
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out.ContentLength = int64(len(body))
		for _, h := range hopHeaders {
			out.Header.Del(h)
		}
		client, _, _ := net.SplitHostPort(r.RemoteAddr)
		if prior := r.Header.Get("X-Forwarded-For"); prior != "" {
			client = prior + ", " + client
		}
		out.Header.Set("X-Forwarded-For", client)
		resp, err := b.tr.RoundTrip(out)
		if err != nil {
			if r.Context().Err() != nil {
				return // the client left
			}
			// Like nginx's default proxy_next_upstream: a refused
			// connection, or a GET that got no answer, goes to the next
			// instance; a POST that got no answer may have been processed
			// and is lost.
			if refused(err) || r.Method == http.MethodGet || r.Method == http.MethodHead {
				b.failovers.Add(1)
				continue
			}
			b.lose(r, err.Error())
			http.Error(w, "balancer: "+err.Error(), http.StatusBadGateway)
			return
		}
		for k, vs := range resp.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		resp.Body.Close()
		return
	}
	b.lose(r, "no instance accepts connections")
	http.Error(w, "balancer: no instance accepts connections", http.StatusBadGateway)
}

// refused reports a connection that was never made, so the request was
// not seen by the instance and may go to another one.
func refused(err error) bool {
	var op *net.OpError
	return errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &op) && op.Op == "dial")
}
