package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/auth"
)

// The example of CONTRACT §9, as written there.
const contractRules = `rules:
  - host: app.example.com          # exact, or "*.example.com"
    path: /static/*                # optional; "*" at the end matches any rest
    methods: [GET, HEAD]           # optional
    require: public                # public | login | two_factor | staff | superuser | perm:CODE | group:NAME | deny
  - host: app.example.com
    path: /admin/*
    require: perm:app.admin
  - host: "*.example.com"
    require: login
  - host: app.example.com
    networks: [10.0.0.0/8]         # optional: the rule applies only to these client addresses
    require: public
default: deny
`

func TestParseRulesContractExample(t *testing.T) {
	t.Parallel()
	rs, err := ParseRules("rules.yml", []byte(contractRules))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Rules) != 4 || rs.Default.Kind != auth.LevelDeny {
		t.Fatalf("%+v", rs)
	}
	r := rs.Rules[0]
	if r.Host != "app.example.com" || r.Path != "/static/*" || strings.Join(r.Methods, ",") != "GET,HEAD" || r.Require.Kind != auth.LevelPublic || r.Line != 2 {
		t.Errorf("rule 1: %+v", r)
	}
	if r := rs.Rules[1]; r.Require.Kind != auth.LevelPerm || r.Require.Arg != "app.admin" || r.Line != 6 {
		t.Errorf("rule 2: %+v", r)
	}
	if r := rs.Rules[2]; r.Host != "*.example.com" || r.Require.Kind != auth.LevelLogin {
		t.Errorf("rule 3: %+v", r)
	}
	if r := rs.Rules[3]; len(r.Networks) != 1 || r.Networks[0].String() != "10.0.0.0/8" || r.Line != 11 {
		t.Errorf("rule 4: %+v", r)
	}
}

func TestParseRulesDefaults(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"", "rules: []\n", "# nothing yet\n", "default:\n"} {
		rs, err := ParseRules("r.yml", []byte(src))
		if err != nil || len(rs.Rules) != 0 || rs.Default.Kind != auth.LevelDeny {
			t.Errorf("%q: %+v, %v", src, rs, err)
		}
	}
	rs, err := ParseRules("r.yml", []byte("rules:\n  - host: App.Example.com.\n    methods: [get]\n    networks: [192.0.2.1, \"::ffff:10.0.0.0/104\"]\n    require: login\ndefault: login\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := rs.Rules[0]
	if r.Host != "app.example.com" || r.Methods[0] != "GET" || r.Networks[0].String() != "192.0.2.1/32" || r.Networks[1].String() != "10.0.0.0/8" || rs.Default.Kind != auth.LevelLogin {
		t.Errorf("%+v default %v", r, rs.Default)
	}
}

// Every mistake names the file and the line it is on.
func TestParseRulesErrorsNameTheLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		src  string
		line int
		msg  string
	}{
		{"rules:\n  - host: a.example.com\n    require: sometimes\n", 3, `unknown level "sometimes"`},
		{"rules:\n  - host: a.example.com\n    requires: login\n", 3, `unknown field "requires"`},
		{"rulez:\n  - host: a.example.com\n", 1, `unknown field "rulez"`},
		{"rules:\n  - host: a.example.com\n    require: login\n\n  - require: login\n", 5, "host: missing"},
		{"rules:\n  - host: a.example.com\n    path: /x\n", 2, "require: missing"},
		{"rules:\n  - host: a.example.com\n    require: login\n    networks:\n      - 10.0.0.0/8\n      - 10.0.0.0/33\n", 6, "networks"},
		{"rules:\n  - host: a.example.com\n    require: login\n    networks: [bogus]\n", 4, "networks"},
		{"rules:\n  - host: a.example.com\n    require: perm:Admin\n", 3, "perm:Admin"},
		{"rules:\n  - host: a.example.com\n    require: login\n    methods: GET\n", 4, "sequence"},
		{"rules:\n  - host: a.example.com\n    require: login\n    methods: [\"G T\"]\n", 4, "method"},
		{"rules:\n  - host: a.example.com:443\n    require: login\n", 2, "host"},
		{"rules:\n  - host: '*'\n    require: login\n", 2, "host"},
		{"rules:\n  - host: a.example.com\n    path: admin/*\n    require: login\n", 3, "path"},
		{"rules:\n  - host: a.example.com\n    path: /a/../b\n    require: login\n", 3, "path"},
		{"rules:\n  - just a string\n", 2, "mapping"},
		{"rules: [\n", 1, ""},
		{"rules:\n  - host: a.example.com\n    require: login\ndefault: maybe\n", 4, "default"},
		{"rules:\n  - host: a.example.com\n    host: b.example.com\n    require: login\n", 3, ""},
		{"\trules: []\n", 1, ""},
	} {
		_, err := ParseRules("/etc/gatehouse/rules.yml", []byte(tc.src))
		var re *RulesError
		if !errors.As(err, &re) {
			t.Errorf("%q: %v, want a *RulesError", tc.src, err)
			continue
		}
		msg := err.Error()
		if re.Line != tc.line || !strings.Contains(msg, "/etc/gatehouse/rules.yml:"+itoa(tc.line)+": ") ||
			!strings.Contains(msg, tc.msg) || strings.Contains(msg, "\n") {
			t.Errorf("%q: %q, want line %d and %q on one line", tc.src, msg, tc.line, tc.msg)
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + itoa(n%10)
}

func TestLoadRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(p, []byte(contractRules), 0o600); err != nil {
		t.Fatal(err)
	}
	if rs, err := LoadRules(p); err != nil || len(rs.Rules) != 4 {
		t.Fatalf("%+v, %v", rs, err)
	}
	_, err := LoadRules(filepath.Join(dir, "missing.yml"))
	var re *RulesError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "missing.yml") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big.yml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", maxRulesFile)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRules(big); !errors.As(err, &re) {
		t.Fatalf("huge file: %v", err)
	}
}

// The example the deploy/ configurations ship parses.
func TestDeployRulesParse(t *testing.T) {
	t.Parallel()
	p := filepath.Join("..", "deploy", "rules.yml")
	if _, err := os.Stat(p); err != nil {
		t.Skip("no deploy/rules.yml")
	}
	if _, err := LoadRules(p); err != nil {
		t.Fatal(err)
	}
}
