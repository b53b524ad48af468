package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/models"
)

// createSuperuser creates an active staff superuser with a verified email.
// The password comes from GATEHOUSE_SUPERUSER_PASSWORD, a prompt on a
// terminal, or one line of stdin; it must pass the sign-up rules.
func createSuperuser(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("createsuperuser", flag.ContinueOnError)
	fs.SetOutput(stderr)
	username := fs.String("username", "", "username")
	email := fs.String("email", "", "email address")
	if err := fs.Parse(args); err != nil {
		return &exitError{2, err}
	}
	name, err := auth.ValidateUsername(*username)
	if err != nil {
		return &exitError{1, fmt.Errorf("username: %w", err)}
	}
	addr, err := auth.ValidateEmail(*email)
	if err != nil {
		return &exitError{1, fmt.Errorf("email: %w", err)}
	}
	password, err := readPassword(getenv, stdin, stdout)
	if err != nil {
		return &exitError{1, err}
	}
	if err := auth.ValidatePassword(password, name, addr); err != nil {
		return &exitError{1, fmt.Errorf("password: %w", err)}
	}

	db, err := models.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := models.Migrate(ctx, db); err != nil {
		return err
	}
	p := auth.Params{Memory: cfg.ArgonMemoryKiB, Time: cfg.ArgonTime, Threads: cfg.ArgonThreads,
		SaltLen: auth.DefaultParams().SaltLen, KeyLen: auth.DefaultParams().KeyLen}
	hash, err := auth.NewHasher(p, 1).Hash(ctx, password)
	if err != nil {
		return err
	}
	u := &models.User{
		Username: name, UsernameKey: auth.UsernameKey(name), Email: addr, EmailKey: auth.EmailKey(addr),
		PasswordHash: hash, IsActive: true, IsStaff: true, IsSuperuser: true, EmailVerified: true,
	}
	switch err := (models.Users{DB: db}).Create(ctx, u); {
	case errors.Is(err, models.ErrUsernameTaken):
		return &exitError{1, fmt.Errorf("username %q is taken", name)}
	case errors.Is(err, models.ErrEmailTaken):
		return &exitError{1, fmt.Errorf("email %q is taken", addr)}
	case err != nil:
		return err
	}
	if err := (models.Audit{DB: db}).Record(ctx, &models.AuditEvent{Event: "superuser_created", UserID: &u.ID, Login: name, Detail: "createsuperuser"}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Superuser %q created (id %d).\n", name, u.ID)
	return nil
}

func readPassword(getenv func(string) string, stdin io.Reader, stdout io.Writer) (string, error) {
	if p := getenv("GATEHOUSE_SUPERUSER_PASSWORD"); p != "" {
		return p, nil
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stdout, "Password (again): ")
		b2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(b) != string(b2) {
			return "", errors.New("the passwords do not match")
		}
		return string(b), nil
	}
	line, err := bufio.NewReaderSize(stdin, 4096).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password given: pipe one line on stdin or set GATEHOUSE_SUPERUSER_PASSWORD")
	}
	return line, nil
}
