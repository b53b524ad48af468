package deploy_test

import (
	"os"
	"strings"
	"testing"
)

// The README's "Protect another app" shows these files whole: the copy a
// reader takes is the one the walks run.
func TestReadmeShowsDeployFiles(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for file, lang := range map[string]string{
		"nginx.conf": "nginx", "Caddyfile": "caddyfile", "traefik.yml": "yaml", "rules.yml": "yaml",
	} {
		if !strings.Contains(string(readme), "```"+lang+"\n"+readDeploy(t, file)+"```\n") {
			t.Errorf("README.md does not show deploy/%s as it is: copy the file into its block", file)
		}
	}
}

// readDeploy reads a file of deploy/ (the tests run in it).
func readDeploy(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
