package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gosignals/signals/internal/procgroup"
)

// Each step's bound: a step that stops making progress (a fetch that waits on
// the network, say) fails with its name instead of holding CI.
const (
	goStepTimeout  = 10 * time.Minute
	runStepTimeout = time.Minute
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
	if err := ws.writeSums(filepath.Join(app, "go.sum")); err != nil {
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
		if _, err := run(goStepTimeout, "go", args...); err != nil {
			return err
		}
	}
	out, err := run(runStepTimeout, filepath.Join(app, "quickstart"))
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != string(want[1]) { // GORM logs a failed statement to standard output too
		return fmt.Errorf("the Quick Start printed %q; the README says it prints %q", out, want[1])
	}
	fmt.Printf("release: a new module outside the workspace got the modules at %s from a file-based proxy of this tree and ran the Quick Start: %s", ws.version, out)
	return nil
}

// writeSums writes the checksums of every module of the workspace's go.sum
// files to path: the new module starts with the hashes the workspace has
// verified already, so that go get needs the checksum database for none of
// them (go mod tidy then drops those it does not use).
func (ws *workspace) writeSums(path string) error {
	seen := map[string]bool{}
	var out []byte
	for _, m := range ws.modules {
		b, err := os.ReadFile(filepath.Join(ws.root, m.Dir, "go.sum"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if line != "" && !seen[line] && !strings.HasPrefix(line, "github.com/gosignals/") {
				seen[line] = true
				out = append(out, line+"\n"...)
			}
		}
	}
	return os.WriteFile(path, out, 0o644)
}

// runner runs commands in dir, outside any workspace, with the proxy at
// proxyDir ahead of the usual module proxies and the checksum database
// skipped for the project's modules, which it has never seen. It never falls
// back to fetching from version control ("direct"): the project's modules
// must come from the file proxy, and a fetch from a host this machine cannot
// reach would wait on the network instead of failing. Each command prints
// its name and time, and is stopped after its timeout.
func runner(dir, proxyDir string) func(timeout time.Duration, name string, args ...string) (string, error) {
	// The file proxy first, then the configured list without "direct" and
	// "off", each kept with the separator after it (',' falls through on
	// 404 and 410 only, '|' on any error).
	goproxy := "file://" + filepath.ToSlash(proxyDir) + ","
	if p, err := exec.Command("go", "env", "GOPROXY").Output(); err == nil {
		list := strings.TrimSpace(string(p))
		for list != "" {
			i := strings.IndexAny(list, ",|")
			entry, sep := list, ""
			if i >= 0 {
				entry, sep, list = list[:i], list[i:i+1], list[i+1:]
			} else {
				list = ""
			}
			if entry != "direct" && entry != "off" && entry != "" {
				goproxy += entry + sep
			}
		}
	}
	goproxy = strings.TrimRight(goproxy, ",|")
	env := append(os.Environ(),
		"GOWORK=off",
		"GOFLAGS=-mod=mod",
		"GOPROXY="+goproxy,
		"GONOSUMDB=github.com/gosignals",
		"GIT_TERMINAL_PROMPT=0",
	)
	return func(timeout time.Duration, name string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		line := strings.Join(append([]string{filepath.Base(name)}, args...), " ")
		start := time.Now()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir, cmd.Env = dir, env
		procgroup.Set(cmd) // go's children (git, the compiler) too
		cmd.WaitDelay = 5 * time.Second
		out, err := cmd.CombinedOutput()
		fmt.Printf("release: %s (%.1fs)\n", line, time.Since(start).Seconds())
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("%s: no result after %s\n%s", line, timeout, out)
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w\n%s", line, err, out)
		}
		return string(out), nil
	}
}
