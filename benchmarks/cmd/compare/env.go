package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/gosignals/signals/benchmarks/workload"
)

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
