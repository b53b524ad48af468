package chaos

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// instance is one gatehouse process; restarts keep its address.
type instance struct {
	name, bin, addr, logPath string
	env                      []string

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	exitErr error
	log     *os.File
	peakRSS int64 // bytes, over every process of this instance
}

func (in *instance) url() string { return "http://" + in.addr }

// start runs the binary and waits until /readyz answers 200.
func (in *instance) start(ctx context.Context) (time.Duration, error) {
	began := time.Now()
	if in.log == nil {
		f, err := os.OpenFile(in.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return 0, err
		}
		in.log = f
	}
	cmd := exec.Command(in.bin, "serve")
	cmd.Env = in.env
	cmd.Stdout, cmd.Stderr = in.log, in.log
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan struct{})
	in.mu.Lock()
	in.cmd, in.done, in.exitErr = cmd, done, nil
	in.mu.Unlock()
	go func() {
		err := cmd.Wait()
		in.mu.Lock()
		in.exitErr = err
		in.mu.Unlock()
		close(done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return 0, fmt.Errorf("%s exited at start: %v (log: %s)", in.name, in.exitErr, in.logPath)
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if ready(in.url()) {
			return time.Since(began), nil
		}
	}
	return 0, fmt.Errorf("%s not ready after 30 s (log: %s)", in.name, in.logPath)
}

func ready(base string) bool {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(base + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// terminate sends SIGTERM and waits for the exit; it returns the exit error
// (nil for exit code 0) and how long the graceful stop took.
func (in *instance) terminate(timeout time.Duration) (time.Duration, error) {
	in.mu.Lock()
	cmd, done := in.cmd, in.done
	in.mu.Unlock()
	if cmd == nil {
		return 0, errors.New("not running")
	}
	began := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case <-done:
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		return time.Since(began), fmt.Errorf("%s still running %s after SIGTERM: killed", in.name, timeout)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.cmd = nil
	return time.Since(began), in.exitErr
}

// kill stops the process at once (the run's own clean-up).
func (in *instance) kill() {
	in.mu.Lock()
	cmd, done := in.cmd, in.done
	in.cmd = nil
	in.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Kill()
		<-done
	}
	if in.log != nil {
		in.log.Close()
	}
}

// sampleRSS reads VmRSS of the running process and keeps the peak.
func (in *instance) sampleRSS() {
	in.mu.Lock()
	cmd := in.cmd
	in.mu.Unlock()
	if cmd == nil {
		return
	}
	rss, err := vmRSS(cmd.Process.Pid)
	if err != nil {
		return // exiting
	}
	in.mu.Lock()
	if rss > in.peakRSS {
		in.peakRSS = rss
	}
	in.mu.Unlock()
}

func (in *instance) peak() int64 {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.peakRSS
}

// vmRSS is the resident set size of a process, from /proc/<pid>/status.
func vmRSS(pid int) (int64, error) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			f := strings.Fields(rest) // "12345 kB"
			if len(f) != 2 || f[1] != "kB" {
				return 0, fmt.Errorf("VmRSS: %q", rest)
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmRSS")
}

// errorLines returns the log lines at level ERROR but those of 503s: the
// 500s and their causes.
func (in *instance) errorLines(max int) []string {
	f, err := os.Open(in.logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		// The request log writes every 5xx at ERROR; the 503s are expected.
		if (strings.Contains(l, "level=ERROR") && !strings.Contains(l, "status=503")) || strings.Contains(l, "panic") {
			out = append(out, in.name+": "+sc.Text())
			if len(out) == max {
				break
			}
		}
	}
	return out
}
