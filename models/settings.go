package models

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Settings holds values the application keeps for itself, such as the
// secret key generated on first start.
type Settings struct{ DB bun.IDB }

// GetOrCreate returns the value under key, storing make() there first if the
// key is new. Instances starting together agree on one value.
func (s Settings) GetOrCreate(ctx context.Context, key string, make func() string) (string, error) {
	if _, err := s.DB.ExecContext(ctx, "INSERT INTO settings (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING", key, make()); err != nil {
		return "", fmt.Errorf("setting %s: %w", key, err)
	}
	var v string
	if err := s.DB.NewRaw("SELECT v FROM settings WHERE k = ?", key).Scan(ctx, &v); err != nil {
		return "", fmt.Errorf("setting %s: %w", key, err)
	}
	return v, nil
}

// Get returns the value under key; ok is false when there is none.
func (s Settings) Get(ctx context.Context, key string) (v string, ok bool, err error) {
	var vs []string
	if err := s.DB.NewRaw("SELECT v FROM settings WHERE k = ?", key).Scan(ctx, &vs); err != nil {
		return "", false, fmt.Errorf("setting %s: %w", key, err)
	}
	if len(vs) == 0 {
		return "", false, nil
	}
	return vs[0], true, nil
}

// Delete removes the value under key, if any.
func (s Settings) Delete(ctx context.Context, key string) error {
	if _, err := s.DB.ExecContext(ctx, "DELETE FROM settings WHERE k = ?", key); err != nil {
		return fmt.Errorf("setting %s: %w", key, err)
	}
	return nil
}
