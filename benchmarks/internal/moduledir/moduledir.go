// Package moduledir finds the directory of the benchmarks module, which
// holds the programs and scripts the benchmark commands run.
package moduledir

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Path is the module path of the benchmarks module.
const Path = "github.com/gosignals/signals/benchmarks"

// Find returns the directory of the benchmarks module: dir if given, else
// the first directory from the working directory upwards that is it or
// holds it as benchmarks/.
func Find(dir string) (string, error) {
	if dir != "" {
		if !Is(dir) {
			return "", fmt.Errorf("%s is not the %s module", dir, Path)
		}
		return filepath.Abs(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		for _, c := range []string{d, filepath.Join(d, "benchmarks")} {
			if Is(c) {
				return c, nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no %s module above %s; pass -dir", Path, wd)
		}
	}
}

// Is reports whether dir holds the benchmarks module.
func Is(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	return sc.Scan() && strings.TrimSpace(sc.Text()) == "module "+Path
}
