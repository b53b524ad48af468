package handlers

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v3"
	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/components/pages"
	"github.com/gatehouse/gatehouse/forms"
	"github.com/gatehouse/gatehouse/models"
)

// registerSubmit creates an account and signs it in. Two sign-ups of one
// name at once: the unique index lets one through and the other sees "taken".
func (s *Server) registerSubmit(c fiber.Ctx) error {
	f := forms.ParseRegister(formGetter(c))
	errs := f.Validate()
	for _, name := range []string{"username", "email"} {
		if errs[name] != "" {
			continue
		}
		msg, err := s.takenMessage(c, name, f)
		if err != nil {
			return err
		}
		if msg != "" {
			errs[name] = msg
		}
	}
	if errs.Any() {
		return s.registerFailed(c, f, errs)
	}

	ctx := c.Context()
	ip := clientIP(c)
	signups := []counter{{"rl:signup:ip:" + ip, auth.SignupLimit}}
	// Counted before the work, so parallel sign-ups cannot all pass; taken
	// back if the account is not made.
	if wait, blocked, _, err := s.reserve(ctx, signups); err != nil {
		return err
	} else if blocked {
		s.event(c, "rate_limited", 0, f.Username, "signup")
		return s.tooMany(c, wait)
	}

	hash, err := s.Hasher.Hash(ctx, f.Password)
	if err != nil {
		return err
	}
	u := &models.User{
		Username: f.Username, UsernameKey: auth.UsernameKey(f.Username),
		Email: f.Email, EmailKey: auth.EmailKey(f.Email),
		PasswordHash: hash, IsActive: true,
	}
	if err := s.createUser(c, u); err != nil {
		if rerr := s.release(ctx, signups); rerr != nil {
			return rerr
		}
		switch {
		case errors.Is(err, models.ErrUsernameTaken):
			errs["username"] = "This username is taken. Try another."
		case errors.Is(err, models.ErrEmailTaken):
			errs["email"] = "An account with this email already exists. Sign in instead?"
		default:
			return err
		}
		return s.registerFailed(c, f, errs)
	}
	s.event(c, "signup", u.ID, u.Username, "")
	s.Log.Info("signed up", "user", u.Username, "user_id", u.ID, "ip", ip)

	if s.Config.MandatoryVerification() {
		// The account exists; it signs in once the address is confirmed.
		return s.unverifiedView(c, u, fiber.StatusOK, "", "")
	}
	if err := s.signIn(c, u, false); err != nil {
		return err
	}
	return s.afterSignIn(c, c.FormValue("next"))
}

func (s *Server) registerFailed(c fiber.Ctx, f forms.Register, errs forms.Errors) error {
	checked := map[string]bool{}
	for _, n := range forms.RegisterFields {
		checked[n] = true
	}
	view := pages.RegisterForm{Username: f.Username, Email: f.Email, Password: f.Password, Errors: errs, Checked: checked}
	p := s.props(c, "Register")
	return s.page(c, fiber.StatusUnprocessableEntity, p, pages.Register(view, p.CSRF))
}

// createUser inserts the new account, its verification link and the mail
// that carries the link, in one transaction: no account without its mail,
// no mail for an account that was not made.
func (s *Server) createUser(c fiber.Ctx, u *models.User) error {
	err := s.DB.RunInTx(c.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		if err := (models.Users{DB: tx}).Create(ctx, u); err != nil {
			return err
		}
		return s.queueVerification(ctx, tx, u)
	})
	if err != nil {
		return err
	}
	s.wakeMailer()
	return nil
}
