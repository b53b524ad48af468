// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp)
// for tests: it collects every message it accepts, parses the text and HTML
// parts, and can be stopped and started again on the same port to play an
// SMTP server that goes down.
package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one accepted mail.
type Message struct {
	From      string
	To        []string
	Raw       []byte
	Header    mail.Header
	Subject   string
	MessageID string
	Text      string // the text/plain part, decoded
	HTML      string // the text/html part, decoded
}

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// Link returns the first URL in the text part that contains part, or "".
func (m Message) Link(part string) string {
	for _, l := range linkRE.FindAllString(m.Text, -1) {
		if strings.Contains(l, part) {
			return l
		}
	}
	return ""
}

// Server is a running (or stopped) SMTP server.
type Server struct {
	Addr string // host:port, the same across restarts

	t       testing.TB
	mu      sync.Mutex
	srv     *smtp.Server
	ln      net.Listener
	msgs    []Message
	reject  map[string]bool
	changed chan struct{}
}

// Start runs a server on 127.0.0.1 at a free port; it stops when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, reject: map[string]bool{}, changed: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's address as GATEHOUSE_SMTP_URL.
func (s *Server) URL() string { return "smtp://" + s.Addr }

func (s *Server) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	srv.Domain = "smtptest.local"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.MaxRecipients = 10
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Stop closes the listener and every open connection: clients now get
// "connection refused".
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		_ = ln.Close() // Serve may not have registered it yet
		_ = srv.Close()
	}
}

// Restart listens again on the same address.
func (s *Server) Restart() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", s.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("smtptest: listen again on %s: %v", s.Addr, err)
	}
	s.serve(ln)
}

// Reject makes the server refuse a recipient for good (550).
func (s *Server) Reject(addr string) {
	s.mu.Lock()
	s.reject[strings.ToLower(addr)] = true
	s.mu.Unlock()
}

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// To returns the accepted messages addressed to addr.
func (s *Server) To(addr string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// Wait waits until match accepts a message and returns it; it fails the
// test after timeout.
func (s *Server) Wait(timeout time.Duration, match func(Message) bool) Message {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for _, m := range s.msgs {
			if match(m) {
				s.mu.Unlock()
				return m
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			s.t.Fatalf("smtptest: no matching message within %s; got %d: %s", timeout, len(s.Messages()), s.summary())
			return Message{}
		}
	}
}

// WaitTo waits for a message to addr whose subject contains subject.
func (s *Server) WaitTo(addr, subject string) Message {
	s.t.Helper()
	return s.Wait(10*time.Second, func(m Message) bool {
		return strings.Contains(m.Subject, subject) && len(m.To) == 1 && strings.EqualFold(m.To[0], addr)
	})
}

// WaitCount waits until at least n messages arrived and returns them all.
func (s *Server) WaitCount(n int, timeout time.Duration) []Message {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := len(s.msgs), s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-changed:
		case <-deadline.C:
			s.t.Fatalf("smtptest: %d messages within %s, want %d:%s", got, timeout, n, s.summary())
			return nil
		}
	}
}

func (s *Server) summary() string {
	var b strings.Builder
	for _, m := range s.Messages() {
		fmt.Fprintf(&b, "\n  %v %q", m.To, m.Subject)
	}
	return b.String()
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	refused := ss.s.reject[strings.ToLower(to)]
	ss.s.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unparsable message: " + err.Error()}
	}
	m.From, m.To = ss.from, append([]string(nil), ss.to...)
	ss.s.add(m)
	return nil
}

func parse(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Message{}, err
	}
	m := Message{Raw: raw, Header: msg.Header, Subject: subject, MessageID: msg.Header.Get("Message-Id")}
	if err := walk(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		return Message{}, err
	}
	return m, nil
}

// walk decodes a (possibly multipart) body into the message's text and HTML.
func walk(m *Message, ctype, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, newlineStripper{body})
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}

type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	j := 0
	for _, c := range p[:k] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}
