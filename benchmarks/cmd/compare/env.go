package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/gosignals/signals/benchmarks/workload"
)

// modulePath is the module the command belongs to; its directory holds the
// benchmarks and the Django script.
const modulePath = "github.com/gosignals/signals/benchmarks"

// findModule returns the directory of the benchmarks module: dir if given,
// else the first directory from the working directory upwards that is it
// or holds it as benchmarks/.
func findModule(dir string) (string, error) {
	if dir != "" {
		if !isModule(dir) {
			return "", fmt.Errorf("%s is not the %s module", dir, modulePath)
		}
		return filepath.Abs(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		for _, c := range []string{d, filepath.Join(d, "benchmarks")} {
			if isModule(c) {
				return c, nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no %s module above %s; pass -dir", modulePath, wd)
		}
	}
}

func isModule(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	return sc.Scan() && strings.TrimSpace(sc.Text()) == "module "+modulePath
}

// ensureDjango checks that python imports django and, if not and install
// is set, installs Debian's python3-django with apt-get (as root, or
// through sudo -n).
func ensureDjango(ctx context.Context, python string, install bool, log func(string, ...any)) error {
	has := func() bool { return exec.CommandContext(ctx, python, "-c", "import django").Run() == nil }
	if has() {
		return nil
	}
	hint := "install Debian's python3-django (apt-get install -y python3-django), pass -python, or -django=false"
	if !install {
		return fmt.Errorf("%s cannot import django: %s", python, hint)
	}
	var prefix []string
	if os.Geteuid() != 0 {
		if _, err := exec.LookPath("sudo"); err != nil {
			return fmt.Errorf("%s cannot import django and this user cannot run apt-get: %s", python, hint)
		}
		prefix = []string{"sudo", "-n"}
	}
	aptGet := func(args ...string) error {
		argv := append(append(prefix, "apt-get"), args...)
		log("installing: %s", strings.Join(argv, " "))
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, tail(string(out)))
		}
		return nil
	}
	err := aptGet("install", "-y", "python3-django")
	if err != nil { // an old or missing package list
		err = errors.Join(aptGet("update"), aptGet("install", "-y", "python3-django"))
	}
	if err != nil {
		return fmt.Errorf("installing python3-django: %w", err)
	}
	if !has() {
		return fmt.Errorf("python3-django is installed but %s cannot import django: it is not Debian's interpreter; pass -python /usr/bin/python3", python)
	}
	return nil
}

// machine describes where the run happened.
type machine struct {
	cpu        string
	cpus       int
	goVersion  string
	goSQLite   string
	loadBefore string
	loadAfter  string
}

func describe() machine {
	m := machine{cpu: "unknown CPU", cpus: runtime.NumCPU(), goVersion: runtime.Version(), loadBefore: loadavg()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	m.goSQLite = goSQLiteVersion()
	return m
}

// loadavg returns the one-minute load average, or "?" where unknown.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// goSQLiteVersion asks the Go side's SQLite its version.
func goSQLiteVersion() string {
	dir, err := os.MkdirTemp("", "signals-compare-")
	if err != nil {
		return "?"
	}
	defer os.RemoveAll(dir)
	db, err := workload.Open(dir, "version", false)
	if err != nil {
		return "?"
	}
	defer db.Close()
	var v string
	if err := db.Raw("SELECT sqlite_version()").Row().Scan(&v); err != nil {
		return "?"
	}
	return v
}
