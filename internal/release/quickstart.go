package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// quickstart go gets the published modules from a file-based proxy of this
// tree into a new module outside the workspace, and runs the README's
// Quick Start there.
func quickstart() error {
	ws, err := loadWorkspace()
	if err != nil {
		return err
	}
	readme, err := os.ReadFile(filepath.Join(ws.root, "README.md"))
	if err != nil {
		return err
	}
	want := regexp.MustCompile("It prints `([^`]+)`").FindSubmatch(readme)
	if want == nil {
		return fmt.Errorf("README.md does not say what the Quick Start prints (\"It prints `...`\")")
	}
	src, err := os.ReadFile(filepath.Join(ws.root, "examples", "quickstart", "main.go"))
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "signals-release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	proxyDir, app := filepath.Join(tmp, "proxy"), filepath.Join(tmp, "app")
	if err := ws.writeProxy(proxyDir); err != nil {
		return err
	}
	if err := os.MkdirAll(app, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(app, "main.go"), src, 0o644); err != nil {
		return err
	}
	run := runner(app, proxyDir)
	at := "@" + ws.version
	steps := [][]string{
		{"mod", "init", "example.com/quickstart"},
		{"get", "github.com/gosignals/signals" + at, "github.com/gosignals/signals/signalsgorm" + at},
		{"mod", "tidy"},
		{"build", "-o", "quickstart", "."},
	}
	for _, args := range steps {
		if _, err := run("go", args...); err != nil {
			return err
		}
	}
	out, err := run(filepath.Join(app, "quickstart"))
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != string(want[1]) { // GORM logs a failed statement to standard output too
		return fmt.Errorf("the Quick Start printed %q; the README says it prints %q", out, want[1])
	}
	fmt.Printf("release: a new module outside the workspace got the modules at %s from a file-based proxy of this tree and ran the Quick Start: %s", ws.version, out)
	return nil
}

// runner runs commands in dir, outside any workspace, with the proxy at
// proxyDir ahead of the usual GOPROXY and the checksum database skipped for
// the project's modules, which it has never seen.
func runner(dir, proxyDir string) func(name string, args ...string) (string, error) {
	goproxy := "file://" + filepath.ToSlash(proxyDir)
	if p, err := exec.Command("go", "env", "GOPROXY").Output(); err == nil && len(strings.TrimSpace(string(p))) > 0 {
		goproxy += "," + strings.TrimSpace(string(p))
	}
	env := append(os.Environ(),
		"GOWORK=off",
		"GOFLAGS=-mod=mod",
		"GOPROXY="+goproxy,
		"GONOSUMDB=github.com/gosignals",
	)
	return func(name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
}
