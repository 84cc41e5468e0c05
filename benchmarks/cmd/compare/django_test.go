package main

import (
	"bytes"
	"maps"
	"os/exec"
	"path/filepath"
	"testing"
)

// The Django script on small sizes: it must do the work the Go side does
// and report it in the shape parseDjango reads. It needs Debian's
// python3-django for /usr/bin/python3, which the compare command installs;
// without it the test is skipped.
func TestDjangoScript(t *testing.T) {
	const python = "/usr/bin/python3"
	if exec.Command(python, "-c", "import django").Run() != nil {
		t.Skip(python + " cannot import django (apt-get install -y python3-django)")
	}
	script := filepath.Join("..", "..", "django", "bench.py")
	runScript := func(args ...string) map[key][]sample {
		t.Helper()
		out, err := exec.Command(python, append([]string{script}, args...)...).Output()
		if err != nil {
			t.Fatalf("bench.py %v: %v", args, err)
		}
		d, samples, err := parseDjango(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if d.Django == "" || d.Workload != args[0] {
			t.Errorf("bench.py %v: header %+v", args, d)
		}
		return samples
	}

	send := runScript("send", "--runs=2", "--min-time=0.001")
	for _, w := range []string{"send/r=0", "send/r=1", "send/r=10"} {
		ss := send[key{w, "django"}]
		if len(ss) != 2 || ss[0].ns <= 0 {
			t.Errorf("%s: samples %v", w, ss)
		}
	}

	save := runScript("save", "--runs=2", "--saves=20")[key{"save", "django"}]
	want := map[string]float64{"queries/op": 20, "pre_save/op": 20, "post_save/op": 20}
	if len(save) != 2 || !maps.Equal(save[1].metrics, want) {
		t.Errorf("save: %v, want 2 samples with %v", save, want)
	}

	cascade := runScript("cascade", "--runs=1", "--books=3", "--comments=2")[key{"cascade", "django"}]
	if len(cascade) != 1 {
		t.Fatalf("cascade: %v", cascade)
	}
	m := cascade[0].metrics
	if m["pre_delete/op"] != 10 || m["post_delete/op"] != 10 {
		t.Errorf("cascade signals %v, want 10 pre_delete and 10 post_delete (1 author, 3 books, 6 comments)", m)
	}
	// The Collector reads the books and their comments, then deletes each
	// table: at least 2 SELECTs and 3 DELETEs.
	if m["queries/op"] < 5 {
		t.Errorf("cascade: %v statements, want at least 5", m["queries/op"])
	}
}
