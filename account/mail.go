package account

import (
	"context"
	"fmt"
	"time"
)

// MailKind names a mail the use cases send.
type MailKind int

const (
	MailVerifyEmail          MailKind = iota + 1 // confirm the address of a new account
	MailConfirmNewEmail                          // confirm the new address of an email change
	MailEmailChanged                             // to the old address, after a change
	MailPasswordReset                            // a reset link
	MailPasswordResetUnknown                     // a reset asked for an address no account uses
	MailPasswordChanged                          // after a change, a reset or an admin's new password
	MailAddressInUse                             // to an address someone tried to sign up with or change to (prevent-enumeration)
)

// Mail is one message to send: its kind and the facts its text needs.
type Mail struct {
	Kind     MailKind
	To       string
	Username string
	Link     string // the mail's action, absolute
	NewEmail string // MailEmailChanged
	IP       string // MailPasswordChanged
	At       time.Time
	// ResetLink is offered by the mails that warn of a change.
	ResetLink string
	// Change: MailAddressInUse for an email change (else a sign-up).
	Change bool
}

// Rendered is a mail ready for the outbox.
type Rendered struct {
	To, Subject, Text, HTML string
}

// queueMail renders m and adds it to the outbox of st, normally the
// transaction that made what the mail announces; call wake after commit.
func (s *Service) queueMail(ctx context.Context, st Store, m Mail) error {
	if m.ResetLink == "" {
		m.ResetLink = s.link("/password-reset")
	}
	r, err := s.letters.Render(ctx, m)
	if err != nil {
		return fmt.Errorf("render mail %d to %s: %w", m.Kind, m.To, err)
	}
	return st.Outbox().Queue(ctx, r, s.clock.Now())
}
