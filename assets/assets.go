// Package assets embeds htmx, the built stylesheet and the app's script in
// the binary, and names each file with a content hash so browsers may cache
// it for a year and still see a new build at once.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:embed static
var embedded embed.FS

// FS is the static directory's contents, rooted at its top.
func FS() fs.FS {
	sub, err := fs.Sub(embedded, "static")
	if err != nil {
		panic(err) // the directory is embedded above; this cannot fail
	}
	return sub
}

var versions = func() map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(FS(), path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[path] = hex.EncodeToString(sum[:6])
		return nil
	})
	return out
}()

// URL returns the versioned URL of a static file, e.g. /static/app.css?v=1a2b3c.
func URL(name string) string {
	return "/static/" + name + "?v=" + versions[name]
}
