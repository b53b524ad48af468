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
