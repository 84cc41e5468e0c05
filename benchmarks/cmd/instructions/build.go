package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gosignals/signals/benchmarks/internal/moduledir"
)

// build compiles the harness programs progs of the benchmarks module in
// moduleDir into outDir, as callgrind needs them (CGO_ENABLED=0: no C
// threads), and returns the path of each binary. env is the environment of
// go build, which finds the workspace's go.work from moduleDir (or not).
func build(ctx context.Context, moduleDir, outDir string, progs, env []string) (map[string]string, error) {
	bins := map[string]string{}
	for _, p := range progs {
		bin := filepath.Join(outDir, p)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/"+p)
		cmd.Dir = moduleDir
		cmd.Env = slices.Concat(env, []string{"CGO_ENABLED=0"})
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building %s in %s: %w\n%s", p, moduleDir, err, out)
		}
		bins[p] = bin
	}
	return bins, nil
}

// harness are the directories of the benchmarks module that the harness
// programs are built from: the programs and the package they share.
var harness = []string{"cmd/cggorm", "cmd/cgsend", "internal/callgrind"}

// A checkout is a git worktree of another commit, whose benchmarks module
// holds the current tree's harness programs.
type checkout struct {
	root      string // the repository's top directory
	dir       string // the worktree
	moduleDir string // the benchmarks module in the worktree
	commit    string
}

// checkoutBase adds a detached git worktree of ref at dir and copies the
// harness of moduleDir into its benchmarks module, so that both sides of a
// comparison run the same workloads, whether ref has these programs or
// older ones or none. The programs use only the public API of the signals
// modules; a ref whose API differs fails to build them. Call remove when
// done.
func checkoutBase(ctx context.Context, moduleDir, ref, dir string) (*checkout, error) {
	root, err := gitOut(ctx, moduleDir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("-base needs the benchmarks module in a git repository: %w", err)
	}
	rel, err := relPath(root, moduleDir)
	if err != nil {
		return nil, err
	}
	commit, err := gitOut(ctx, root, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("-base %q: no such commit in %s", ref, root)
	}
	if _, err := gitOut(ctx, root, "worktree", "add", "--detach", "--quiet", dir, commit); err != nil {
		return nil, fmt.Errorf("-base %q: git worktree add: %w", ref, err)
	}
	c := &checkout{root: root, dir: dir, moduleDir: filepath.Join(dir, rel), commit: commit}
	if !moduledir.Is(c.moduleDir) {
		c.remove()
		return nil, fmt.Errorf("-base %q (%.12s) has no benchmarks module at %s: pick a commit that has one", ref, commit, rel)
	}
	for _, d := range harness {
		if err := copyPackage(filepath.Join(moduleDir, d), filepath.Join(c.moduleDir, d)); err != nil {
			c.remove()
			return nil, err
		}
	}
	return c, nil
}

// remove deletes the worktree and git's record of it.
func (c *checkout) remove() {
	// A fresh context: remove also runs after an interrupt.
	if _, err := gitOut(context.Background(), c.root, "worktree", "remove", "--force", c.dir); err != nil {
		fmt.Fprintf(os.Stderr, "instructions: removing the worktree %s: %v (git worktree prune cleans up)\n", c.dir, err)
	}
}

// relPath returns dir relative to root, both with symbolic links resolved
// (git prints the resolved top directory).
func relPath(root, dir string) (string, error) {
	r, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	d, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(r, d)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("%s is not inside the repository %s", dir, root)
	}
	return rel, nil
}

// copyPackage replaces the directory dst by the Go and assembly files of
// src, test files left out.
func copyPackage(src, dst string) error {
	files, err := filepath.Glob(filepath.Join(src, "*.[gs]*"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no Go files in %s", src)
	}
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if ext := filepath.Ext(f); ext != ".go" && ext != ".s" || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// gitOut runs git in dir and returns its standard output, trimmed.
func gitOut(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// baseEnv is the environment of the base's build: GOWORK emptied, so that
// go finds the worktree's own go.work (holding the replacements of that
// commit's workspace) or, in a commit without one, builds in module mode
// with the go.mod files' replace directives.
func baseEnv() []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GOWORK=") {
			env = append(env, e)
		}
	}
	return env
}
