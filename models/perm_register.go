package models

import (
	"context"
	"fmt"

	"github.com/gatehouse/gatehouse/auth"
)

// Register adds an application's permissions, or renames those already
// there; grants of existing codes are kept. The caller checks the codes.
func (p Perms) Register(ctx context.Context, perms []auth.Perm) error {
	for _, perm := range perms {
		row := &Permission{Code: perm.Code, Name: perm.Name}
		_, err := p.DB.NewInsert().Model(row).
			On("CONFLICT (code) DO UPDATE").Set("name = EXCLUDED.name").Exec(ctx)
		if err != nil {
			return fmt.Errorf("register permission %s: %w", perm.Code, err)
		}
	}
	return nil
}
