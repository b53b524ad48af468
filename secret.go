package gatehouse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/auth"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/models"
)

// secretSetting is the settings row that holds the generated secret key on
// PostgreSQL (and held it on SQLite before it moved to a file).
const secretSetting = "secret_key"

// SecretKeyFile names the file that holds the generated secret key of a
// SQLite database: the database's path plus ".secret" (gatehouse.db.secret),
// mode 0600. It is empty for other databases.
func SecretKeyFile(databaseURL string) string {
	file, onDisk := models.SQLiteFile(databaseURL)
	if !onDisk {
		return ""
	}
	return file + ".secret"
}

// secretKey returns the key that signs tokens: GATEHOUSE_SECRET_KEY when
// set, else a generated one. On SQLite the generated key lives in a file
// beside the database, never inside it: a key found in the settings table
// (where earlier versions kept it) is moved to that file, so links already
// mailed keep working, and its row deleted. On PostgreSQL it stays in the
// database, shared by every instance.
func secretKey(ctx context.Context, cfg config.Config, db *bun.DB) (string, error) {
	settings := models.Settings{DB: db}
	if models.IsPostgres(db) {
		if cfg.SecretKey != "" {
			return cfg.SecretKey, nil
		}
		return settings.GetOrCreate(ctx, secretSetting, func() string { return auth.RandomToken(32) })
	}
	path := SecretKeyFile(cfg.DatabaseURL)
	if path == "" { // an in-memory database: nothing outlives the process
		if cfg.SecretKey != "" {
			return cfg.SecretKey, nil
		}
		return auth.RandomToken(32), nil
	}
	old, inDB, err := settings.Get(ctx, secretSetting)
	if err != nil {
		return "", err
	}
	key, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		switch {
		case inDB:
			key, err = writeKeyFile(path, old)
		case cfg.SecretKey == "":
			key, err = writeKeyFile(path, auth.RandomToken(32))
		default:
			err = nil // the configured key is used; no file is needed
		}
	}
	if err != nil {
		return "", err
	}
	if inDB {
		if err := settings.Delete(ctx, secretSetting); err != nil {
			return "", err
		}
	}
	if cfg.SecretKey != "" {
		return cfg.SecretKey, nil
	}
	return key, nil
}

// readKeyFile reads a key file, taking the group's and others' rights away
// if someone gave them.
func readKeyFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(string(b))
	if len(key) < 32 {
		return "", fmt.Errorf("secret key file %s: shorter than 32 characters", path)
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return "", fmt.Errorf("secret key file %s: %w", path, err)
		}
	}
	return key, nil
}

// writeKeyFile writes key to path with mode 0600, whole or not at all; when
// another process wrote the file first, its key wins and is returned.
func writeKeyFile(path, key string) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("secret key file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(key + "\n")
	if err == nil {
		err = tmp.Chmod(0o600) // CreateTemp makes it 0600 already; the umask cannot widen it
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("secret key file %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKeyFile(path)
		}
		return "", fmt.Errorf("secret key file %s: %w", path, err)
	}
	return key, nil
}
