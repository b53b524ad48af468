package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// go test ./cmd/gatehouse -run TestSlowClients -slowloris 10000 -v
// runs the full slow-client attack of issue 9 (finding 14); it is left out
// of the default run, which checks the limits with a few hundred.
var slowloris = flag.Int("slowloris", 0, "connections of the full slow-client run (TestSlowClientsFull)")

// TestMain lets a test start this binary as the gatehouse server in a
// process of its own (GATEHOUSE_TEST_RUN_MAIN=1), whose memory it measures.
func TestMain(m *testing.M) {
	if os.Getenv("GATEHOUSE_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// server is a gatehouse serve in a child process.
type server struct {
	addr string
	pid  int
}

func startServer(t *testing.T) *server {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(),
		"GATEHOUSE_TEST_RUN_MAIN=1",
		"GATEHOUSE_ADDR="+addr,
		"GATEHOUSE_DATABASE_URL=sqlite://"+filepath.Join(dir, "gatehouse.db"),
		"GATEHOUSE_SECRET_KEY=slow-clients-test-secret-key-0123456789",
		"GATEHOUSE_ARGON2_MEMORY=1024", "GATEHOUSE_ARGON2_TIME=1", "GATEHOUSE_ARGON2_THREADS=1",
		"GATEHOUSE_REDIS_URL=", "GATEHOUSE_TRUSTED_PROXIES=",
	)
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	testenv.Must(t, err)
	cmd.Stdout, cmd.Stderr = logf, logf
	testenv.Must(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("server log (tail):\n%s", b)
		}
	})
	s := &server{addr: addr, pid: cmd.Process.Pid}
	deadline := time.Now().Add(20 * time.Second)
	for s.get(t, "127.0.0.2") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("server did not start")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return s
}

// get answers the status of GET /login sent from the local address from
// (0 when there is no answer within 5 s).
func (s *server) get(t *testing.T, from string) int {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
	r, err := client.Get("http://" + s.addr + "/login")
	if err != nil {
		return 0
	}
	defer r.Body.Close()
	_, _ = io.Copy(io.Discard, r.Body)
	return r.StatusCode
}

// rss is the server's resident memory in bytes.
func (s *server) rss(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid))
	if err != nil {
		t.Skipf("no /proc to measure memory: %v", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			testenv.Must(t, err)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// attack is a set of slow clients: each announces a form body of
// announce bytes and sends one byte of it every 3 s.
type attack struct {
	opened, failed, closed, refused413 atomic.Int64
	wg                                 sync.WaitGroup
	stop                               chan struct{}
	conns                              sync.Map
}

func newAttack() *attack { return &attack{stop: make(chan struct{})} }

func (a *attack) open(addr, from string, announce int) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			a.failed.Add(1)
			return
		}
		a.opened.Add(1)
		a.conns.Store(c, true)
		defer a.conns.Delete(c)
		defer c.Close()
		done := make(chan struct{})
		go func() { // the server's answer, or its closing of the connection
			defer close(done)
			first := make([]byte, 12)
			n, _ := io.ReadFull(c, first)
			if bytes.Equal(first[:n], []byte("HTTP/1.1 413")) {
				a.refused413.Add(1)
			}
			_, _ = io.Copy(io.Discard, c)
			a.closed.Add(1)
		}()
		if _, err := fmt.Fprintf(c, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", addr, announce); err != nil {
			<-done
			return
		}
		tick := time.NewTicker(3 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-a.stop:
				return
			case <-done:
				return
			case <-tick.C:
				if _, err := c.Write([]byte("a")); err != nil {
					<-done
					return
				}
			}
		}
	}()
}

func (a *attack) end() {
	close(a.stop)
	a.conns.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
	a.wg.Wait()
}

// waitFor polls cond every 50 ms until it holds or 10 s have passed.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// Finding 14: one address holds at most gatehouse.MaxConnsPerAddr
// connections (another address is still served), a body longer than any
// form is refused at once, and the server's memory stays bounded.
func TestSlowClientsAreBounded(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	before := s.rss(t)

	const n = gatehouse.MaxConnsPerAddr + 100
	a := newAttack()
	defer a.end()
	for range n {
		a.open(s.addr, "127.0.0.1", 15_000) // under the body limit: held until the read timeout
	}
	if !waitFor(func() bool {
		return a.opened.Load()+a.failed.Load() == n && a.closed.Load() >= n-gatehouse.MaxConnsPerAddr
	}) {
		t.Errorf("%d slow connections from one address: %d opened, %d closed by the server; want at most %d kept",
			n, a.opened.Load(), a.closed.Load(), gatehouse.MaxConnsPerAddr)
	}
	if st := s.get(t, "127.0.0.2"); st != http.StatusOK {
		t.Errorf("GET /login from another address while one is at its cap: %d, want 200", st)
	}

	// A body longer than the largest form is refused as soon as it is
	// announced, before any of it arrives.
	big := newAttack()
	defer big.end()
	big.open(s.addr, "127.0.0.3", 100_000)
	if !waitFor(func() bool { return big.refused413.Load() == 1 }) {
		t.Error("a 100 kB form body announced: no 413")
	}

	if during := s.rss(t); during > 256<<20 {
		t.Errorf("server RSS %d MiB under %d slow clients (from %d MiB), want under 256 MiB", during>>20, n, before>>20)
	}
}

// TestSlowClientsFull is the attack of the issue: -slowloris N connections
// from 127.0.0.1, each announcing a form body (half 100 kB, half 15 kB, under
// the body limit) and trickling one byte every 3 s for 30 s, while GET /login
// from 127.0.0.2 must keep answering and the server stay under 256 MiB.
func TestSlowClientsFull(t *testing.T) {
	if *slowloris == 0 {
		t.Skip("run with -slowloris 10000")
	}
	s := startServer(t)
	before := s.rss(t)
	a := newAttack()
	for i := range *slowloris {
		size := 100_000
		if i%2 == 1 {
			size = 15_000
		}
		a.open(s.addr, "127.0.0.1", size)
	}
	var peak int64
	var gets, ok int
	start := time.Now()
	for time.Since(start) < 30*time.Second {
		peak = max(peak, s.rss(t))
		gets++
		if s.get(t, "127.0.0.2") == http.StatusOK {
			ok++
		}
		time.Sleep(500 * time.Millisecond)
	}
	peak = max(peak, s.rss(t))
	opened, failed, closed, refused := a.opened.Load(), a.failed.Load(), a.closed.Load(), a.refused413.Load()
	a.end()
	time.Sleep(2 * time.Second)
	after := s.rss(t)
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "slow clients: %d asked, %d opened, %d failed to open, %d closed by the server (%d with 413)\n", *slowloris, opened, failed, closed, refused)
	fmt.Fprintf(w, "server RSS: before %d MiB, peak during %d MiB, after %d MiB\n", before>>20, peak>>20, after>>20)
	fmt.Fprintf(w, "GET /login from 127.0.0.2: %d of %d answered 200\n", ok, gets)
	w.Flush()
	if peak > 256<<20 {
		t.Errorf("server RSS peaked at %d MiB, want under 256 MiB", peak>>20)
	}
	if ok != gets {
		t.Errorf("GET /login from 127.0.0.2: %d of %d answered 200", ok, gets)
	}
}
