package handlers

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v3"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/auth"
	mailc "github.com/gatehouse/gatehouse/components/mail"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/models"
)

// verifyEmail opens a verification link: it confirms the address it was
// sent to, once. A link from an email change switches the account to the
// new address (only now: the change waits for this) and tells the old
// address.
func (s *Server) verifyEmail(c fiber.Ctx) error {
	ctx := c.Context()
	tok, u, state, err := s.openLink(ctx, c.Params("token"), models.TokenVerifyEmail, models.TokenEmailChange)
	if err != nil {
		return err
	}
	// A sign-up link confirms the address it went to, and only while that
	// is still the account's address.
	if state == linkOK && tok.Kind == models.TokenVerifyEmail && auth.EmailKey(tok.Email) != u.EmailKey {
		state = linkDead
	}
	if state != linkOK {
		if viewerOf(c) != nil {
			return s.linkInvalid(c, state, "/account", "Go to your account")
		}
		return s.linkInvalid(c, state, "/login", "Sign in to get a new link")
	}
	now := s.Now()
	used := false
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		tokens, users := models.Tokens{DB: tx}, models.Users{DB: tx}
		ok, err := tokens.Use(ctx, tok.ID, now)
		if err != nil || !ok {
			return err
		}
		used = true
		if tok.Kind == models.TokenVerifyEmail {
			_, err := users.MarkEmailVerified(ctx, u.ID, u.EmailKey)
			return err
		}
		if err := users.ChangeEmail(ctx, u.ID, tok.Email, auth.EmailKey(tok.Email)); err != nil {
			return err
		}
		if err := tokens.Revoke(ctx, u.ID, now, models.TokenVerifyEmail, models.TokenEmailChange); err != nil {
			return err
		}
		return s.queueMail(ctx, tx, mailc.EmailChanged(u.Email, u.Username, tok.Email, s.link("/password-reset")))
	})
	if errors.Is(err, models.ErrEmailTaken) {
		s.Log.Info("email change refused: address taken", "user_id", u.ID, "email", tok.Email, "ip", clientIP(c))
		return s.page(c, fiber.StatusConflict, s.props(c, "Address already in use"), pages.EmailTaken(tok.Email))
	}
	if err != nil {
		return err
	}
	if !used {
		return s.linkInvalid(c, linkDead, "/account", "Go to your account")
	}
	changed := tok.Kind == models.TokenEmailChange
	if changed {
		s.wakeMailer()
		s.event(c, "email_changed", u.ID, u.Username, u.Email+" → "+tok.Email)
		s.Log.Info("email changed", "user", u.Username, "user_id", u.ID, "ip", clientIP(c))
	} else {
		s.event(c, "email_verified", u.ID, u.Username, tok.Email)
		s.Log.Info("email verified", "user", u.Username, "user_id", u.ID, "ip", clientIP(c))
	}
	v := viewerOf(c)
	if v != nil && v.User.ID == u.ID {
		v.User.Email, v.User.EmailVerified = tok.Email, true
	}
	return s.page(c, fiber.StatusOK, s.props(c, "Email address confirmed"), pages.EmailConfirmed(tok.Email, changed, v != nil))
}
