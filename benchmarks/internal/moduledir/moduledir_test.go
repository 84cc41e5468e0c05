package moduledir

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	here, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Find("")
	if err != nil || got != here {
		t.Errorf("Find from %s = %q, %v; want %q", "internal/moduledir", got, err, here)
	}
	if got, err := Find(here); err != nil || got != here {
		t.Errorf("Find(%q) = %q, %v", here, got, err)
	}
	if _, err := Find(t.TempDir()); err == nil {
		t.Error("Find of an empty directory: no error")
	}
	// From the repository's root, the module is found as benchmarks/.
	t.Chdir(filepath.Dir(here))
	if got, err := Find(""); err != nil || got != here {
		t.Errorf("Find from the root = %q, %v; want %q", got, err, here)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if Is(other) {
		t.Error("Is: another module taken for the benchmarks module")
	}
}
