package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/models"
)

func migrateCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	db, err := models.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(args) > 0 && args[0] == "status" {
		ms, err := models.MigrationsStatus(ctx, db)
		if err != nil {
			return err
		}
		for _, m := range ms {
			state := "pending"
			if m.Applied {
				state = "applied " + m.MigratedAt.UTC().Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(stdout, "%s  %-28s  %s\n", m.Name, state, m.Comment)
		}
		return nil
	}
	if len(args) > 0 {
		return &exitError{2, fmt.Errorf("migrate: unknown argument %q (want: migrate, or migrate status)", args[0])}
	}
	applied, err := models.Migrate(ctx, db)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "nothing to migrate")
		return nil
	}
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	return nil
}
