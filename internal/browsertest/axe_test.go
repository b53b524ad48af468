package browsertest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The browser tests need no npm ci: axe-core ships embedded, with its
// licence notice, at the version package.json pins (npm run vendor copies it).
func TestAxeShipped(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(ModuleRoot(t), "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
		Scripts         map[string]string `json:"scripts"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	version := pkg.DevDependencies["axe-core"]
	if version == "" {
		t.Fatal("package.json pins no axe-core")
	}
	if want := "/*! axe v" + version + "\n"; !strings.HasPrefix(axeSource, want) {
		t.Errorf("internal/browsertest/axe.min.js is not axe-core %s (starts %.40q): run npm ci && npm run vendor", version, axeSource)
	}
	if !strings.Contains(axeSource[:1000], "Mozilla Public") {
		t.Error("axe.min.js lost its licence notice")
	}
	if !strings.Contains(pkg.Scripts["vendor"], "axe-core/axe.min.js") {
		t.Error("npm run vendor does not refresh internal/browsertest/axe.min.js")
	}
}
