package auth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

// commonPasswordsGz is Django's CommonPasswordValidator list
// (django/contrib/auth/common-passwords.txt.gz, from Debian python3-django
// 3.2.25): common passwords created by Royce Williams, lower-cased and
// de-duplicated (19,727 lines; the last has no newline, so wc -l says
// 19,726). Django is BSD-3-Clause licensed. See common-passwords.README.
// It stays gzipped so the binary stays small.
//
//go:embed common-passwords.txt.gz
var commonPasswordsGz []byte

// commonPasswords decompresses the list on first use, so processes that
// never check a password (migrations, admin commands) don't pay for it.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set, err := parseCommonPasswords(commonPasswordsGz)
	if err != nil {
		// The data is compiled in; failing to read it is a build defect
		// that the tests catch, not a runtime condition.
		panic(fmt.Sprintf("auth: embedded common-password list: %v", err))
	}
	return set
})

func parseCommonPasswords(gz []byte) (map[string]struct{}, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("open gzip: %w", err)
	}
	defer zr.Close()
	set := make(map[string]struct{}, 20000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			set[line] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return set, nil
}

// IsCommonPassword reports whether p, lower-cased and trimmed of
// surrounding white space as Django does, is on the common-password list.
func IsCommonPassword(p string) bool {
	_, ok := commonPasswords()[strings.ToLower(strings.TrimSpace(p))]
	return ok
}
