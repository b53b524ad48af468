package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// nginx runs deploy/nginx.conf, which goes inside nginx's http block,
// from a main file that keeps everything (pid, logs, temporary files) in
// the test's directory.
var nginx = proxy{name: "nginx", bin: "nginx", start: func(s *stack, bin string) *exec.Cmd {
	dir := s.t.TempDir()
	site := filepath.Join(dir, "gatehouse.conf")
	writeFile(s.t, site, s.localize(readDeploy(s.t, "nginx.conf"),
		"listen 80;", "listen 127.0.0.1:"+s.port+";"))
	var main strings.Builder
	main.WriteString("daemon off;\nworker_processes 1;\nerror_log stderr warn;\n")
	main.WriteString("pid " + filepath.Join(dir, "nginx.pid") + ";\n")
	if os.Geteuid() == 0 {
		// Workers would otherwise run as nobody, who cannot use the
		// test's temporary directory.
		main.WriteString("user root;\n")
	}
	main.WriteString("events { worker_connections 256; }\nhttp {\n    access_log off;\n")
	for _, tmp := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		main.WriteString("    " + tmp + "_temp_path " + filepath.Join(dir, tmp) + ";\n")
	}
	main.WriteString("    include " + site + ";\n}\n")
	conf := filepath.Join(dir, "nginx.conf")
	writeFile(s.t, conf, main.String())
	return exec.Command(bin, "-c", conf, "-p", dir, "-e", "stderr")
}}

// caddy runs deploy/Caddyfile as it is, with its own home directory.
var caddy = proxy{name: "caddy", bin: "caddy", start: func(s *stack, bin string) *exec.Cmd {
	dir := s.t.TempDir()
	file := filepath.Join(dir, "Caddyfile")
	writeFile(s.t, file, s.localize(readDeploy(s.t, "Caddyfile"),
		"http://auth.example.com", "http://auth.example.test:"+s.port,
		"http://app.example.com", "http://app.example.test:"+s.port))
	cmd := exec.Command(bin, "run", "--config", file, "--adapter", "caddyfile")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	return cmd
}}
