package mail

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP delivers through an SMTP server with go-mail: one connection per
// batch, STARTTLS when the server offers it (smtp://) or TLS from the first
// byte (smtps://), and authentication when the URL carries a user.
type SMTP struct {
	host    string
	opts    []gomail.Option
	from    string
	domain  string
	timeout time.Duration
}

// NewSMTP reads smtp://user:pass@host:port?from=Name%20<addr> (from
// defaults to "Gatehouse <noreply@host of the base URL>").
func NewSMTP(u, base *url.URL) (*SMTP, error) {
	port, err := strconv.Atoi(u.Port())
	if err != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("GATEHOUSE_SMTP_URL: want host:port")
	}
	domain := base.Hostname()
	from := u.Query().Get("from")
	if from == "" {
		from = "Gatehouse <noreply@" + domain + ">"
	}
	if err := gomail.NewMsg().From(from); err != nil {
		return nil, fmt.Errorf("GATEHOUSE_SMTP_URL: from=%q: %w", from, err)
	}
	s := &SMTP{host: u.Hostname(), from: from, domain: domain, timeout: 30 * time.Second}
	s.opts = []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(s.timeout)}
	if u.Scheme == "smtps" {
		s.opts = append(s.opts, gomail.WithSSL())
	} else {
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		s.opts = append(s.opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	return s, nil
}

// Send delivers msgs over one connection. A failed connection fails them all
// (to be retried); a refused recipient fails its message for good.
func (s *SMTP) Send(ctx context.Context, msgs []Message) []error {
	errs := make([]error, len(msgs))
	fail := func(err error) []error {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fail(fmt.Errorf("smtp client: %w", err))
	}
	if err := client.DialWithContext(ctx); err != nil {
		return fail(fmt.Errorf("smtp connect %s: %w", client.ServerAddr(), err))
	}
	defer client.Close()
	for i, m := range msgs {
		msg, err := s.build(m)
		if err != nil {
			errs[i] = &PermanentError{err}
			continue
		}
		if err := client.Send(msg); err != nil {
			errs[i] = classify(err)
		}
	}
	return errs
}

func (s *SMTP) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(fmt.Sprintf("outbox-%d.%d@%s", m.ID, m.Created.Unix(), s.domain))
	msg.SetDate()
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}

// classify marks a refused recipient or a refused address as permanent;
// everything else (4xx answers, broken connections) is worth retrying.
func classify(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() && (se.Reason == gomail.ErrSMTPRcptTo || se.Reason == gomail.ErrGetRcpts) {
		return &PermanentError{err}
	}
	return err
}
