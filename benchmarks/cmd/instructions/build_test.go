package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gosignals/signals/benchmarks/internal/moduledir"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// copyPackage replaces the destination: a file the base commit had there
// and the current tree has not is gone; test files and others stay behind.
func TestCopyPackage(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "cmd", "cgsend")
	for _, f := range []string{"main.go", "request_amd64.s", "main_test.go", "README.md"} {
		write(t, filepath.Join(src, f), "// "+f+"\n")
	}
	write(t, filepath.Join(dst, "old.go"), "package main\n")
	if err := copyPackage(src, dst); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dst); !slices.Equal(got, []string{"main.go", "request_amd64.s"}) {
		t.Errorf("copied %q", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "main.go")); string(b) != "// main.go\n" {
		t.Errorf("main.go holds %q", b)
	}
	if err := copyPackage(t.TempDir(), dst); err == nil {
		t.Error("copying an empty directory: no error")
	}
}

func TestRelPath(t *testing.T) {
	root := t.TempDir()
	if got, err := relPath(root, filepath.Join(root, "benchmarks")); err == nil || got != "" {
		// the directory does not exist yet: EvalSymlinks fails
		t.Errorf("missing directory: %q, %v", got, err)
	}
	write(t, filepath.Join(root, "benchmarks", "go.mod"), "module x\n")
	if got, err := relPath(root, filepath.Join(root, "benchmarks")); err != nil || got != "benchmarks" {
		t.Errorf("relPath = %q, %v", got, err)
	}
	if _, err := relPath(filepath.Join(root, "benchmarks"), root); err == nil {
		t.Error("a directory outside the repository: no error")
	}
}

// checkoutBase on this repository's HEAD: a worktree whose benchmarks
// module holds the current harness, and nothing left once removed; a
// commit that does not exist is refused before any worktree is made.
func TestCheckoutBase(t *testing.T) {
	moduleDir, err := moduledir.Find("")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := gitOut(ctx, moduleDir, "rev-parse", "--show-toplevel"); err != nil {
		t.Skip("not in a git repository:", err)
	}
	dir := filepath.Join(t.TempDir(), "worktree")
	c, err := checkoutBase(ctx, moduleDir, "HEAD", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range harness {
		want, _ := os.ReadDir(filepath.Join(moduleDir, d))
		for _, e := range want {
			if strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			a, _ := os.ReadFile(filepath.Join(moduleDir, d, e.Name()))
			b, err := os.ReadFile(filepath.Join(c.moduleDir, d, e.Name()))
			if err != nil || string(a) != string(b) {
				t.Errorf("%s/%s not copied into the worktree: %v", d, e.Name(), err)
			}
		}
	}
	c.remove()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the worktree %s is still there: %v", dir, err)
	}
	list, _ := exec.Command("git", "-C", moduleDir, "worktree", "list").Output()
	if strings.Contains(string(list), dir) {
		t.Errorf("git still lists the worktree:\n%s", list)
	}
	if _, err := checkoutBase(ctx, moduleDir, "no-such-ref-anywhere", filepath.Join(t.TempDir(), "w")); err == nil ||
		!strings.Contains(err.Error(), "no such commit") {
		t.Errorf("a ref that does not exist: %v", err)
	}
	// The repository's first commit predates the benchmarks module (in a
	// shallow clone, the first commit at hand may not).
	if shallow, _ := gitOut(ctx, moduleDir, "rev-parse", "--is-shallow-repository"); shallow == "true" {
		return
	}
	first, err := gitOut(ctx, moduleDir, "rev-list", "--max-parents=0", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), "first")
	first, _, _ = strings.Cut(first, "\n")
	if _, err := checkoutBase(ctx, moduleDir, first, dir); err == nil || !strings.Contains(err.Error(), "has no benchmarks module") {
		t.Errorf("a commit without the module: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the refused worktree %s is still there: %v", dir, err)
	}
}
