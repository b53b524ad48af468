package mail

import (
	"context"
	"fmt"

	"github.com/gatehouse/gatehouse/account"
	mailc "github.com/gatehouse/gatehouse/components/mail"
)

// Letters renders the application's mails with the templates of components/mail.
type Letters struct{}

var _ account.Letters = Letters{}

// Render builds both parts of m.
func (Letters) Render(ctx context.Context, m account.Mail) (account.Rendered, error) {
	var c mailc.Mail
	switch m.Kind {
	case account.MailVerifyEmail:
		c = mailc.VerifyEmail(m.To, m.Username, m.Link)
	case account.MailConfirmNewEmail:
		c = mailc.ConfirmNewEmail(m.To, m.Username, m.Link)
	case account.MailEmailChanged:
		c = mailc.EmailChanged(m.To, m.Username, m.NewEmail, m.ResetLink)
	case account.MailPasswordReset:
		c = mailc.PasswordReset(m.To, m.Username, m.Link)
	case account.MailPasswordResetUnknown:
		c = mailc.PasswordResetUnknown(m.To, m.Link)
	case account.MailPasswordChanged:
		c = mailc.PasswordChanged(m.To, m.Username, mailTime(m), m.IP, m.ResetLink)
	case account.MailAddressInUse:
		c = mailc.AddressInUse(m.To, m.Link, m.ResetLink, m.Change)
	default:
		return account.Rendered{}, fmt.Errorf("unknown mail kind %d", m.Kind)
	}
	text, html, err := mailc.Render(ctx, c)
	if err != nil {
		return account.Rendered{}, err
	}
	return account.Rendered{To: c.To, Subject: c.Subject, Text: text, HTML: html}, nil
}

// mailTime is how mails state a moment.
func mailTime(m account.Mail) string {
	return m.At.UTC().Format("2 January 2006 at 15:04 UTC")
}
