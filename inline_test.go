package signals_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The receivers' look-up is inlined into every send: a send costs two
// atomic loads more than a plain loop only as long as the compiler keeps
// doing so. This test builds a small program sending from another module,
// as a user's would, asks the compiler what it inlined (-gcflags=-m), and
// fails when a change to snapshot.lookup or to a send makes it a call.
func TestSnapshotLookupIsInlined(t *testing.T) {
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH: cannot ask the compiler what it inlines")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	write(t, filepath.Join(tmp, "go.mod"), "module inlined\n\n"+goDirective(t)+"\n\nrequire github.com/gosignals/signals v0.0.0\n\nreplace github.com/gosignals/signals => "+dir+"\n")
	write(t, filepath.Join(tmp, "main.go"), `package main

import (
	"context"

	"github.com/gosignals/signals"
)

func main() {
	s := signals.New[int]("inlined")
	_ = s.Send(context.Background(), nil, 1)
	_ = s.SendRobust(context.Background(), nil, 1)
}
`)
	cmd := exec.Command(gotool, "build", "-o", os.DevNull, "-gcflags=-m", ".")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build -gcflags=-m: %v\n%s", err, out)
	}
	diag := string(out)
	snapshot := filepath.Join(dir, "snapshot.go") + ":"
	if !hasLine(diag, snapshot, "can inline signals.(*snapshot[", "]).lookup") {
		t.Errorf("the compiler no longer inlines (*snapshot[T]).lookup; its -m output on look-ups:\n%s", grepLines(diag, "lookup"))
	}
	for _, send := range []struct{ file, fn string }{
		{"signal.go", "func (s *Signal[T]) Send("},
		{"robust.go", "func (s *Signal[T]) SendRobust("},
	} {
		line := lookupLine(t, send.file, send.fn)
		at := filepath.Join(dir, send.file) + ":" + strconv.Itoa(line) + ":"
		if !hasLine(diag, at, "inlining call to signals.(*snapshot[", "]).lookup") {
			t.Errorf("%s:%d: the look-up in %s is not inlined; -m output for that line:\n%s", send.file, line, send.fn, grepLines(diag, at))
		}
	}
}

func write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// goDirective returns the go directive of the package's go.mod.
func goDirective(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "go ") {
			return l
		}
	}
	t.Fatal("go.mod has no go directive")
	return ""
}

// lookupLine returns the line of the first call of p.lookup in the
// function declared by decl in file.
func lookupLine(t *testing.T, file, decl string) int {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for n := 1; sc.Scan(); n++ {
		switch l := sc.Text(); {
		case strings.HasPrefix(l, decl):
			in = true
		case in && strings.HasPrefix(l, "}"):
			t.Fatalf("%s: no p.lookup call in %s", file, decl)
		case in && strings.Contains(l, "p.lookup("):
			return n
		}
	}
	t.Fatalf("%s: %s not found", file, decl)
	return 0
}

// hasLine reports whether some line of s starts with prefix, contains
// middle and ends with suffix.
func hasLine(s, prefix, middle, suffix string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, middle) && strings.HasSuffix(l, suffix) {
			return true
		}
	}
	return false
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, "\t"+l)
		}
	}
	return strings.Join(out, "\n")
}
