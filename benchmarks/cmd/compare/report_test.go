package main

import (
	"strings"
	"testing"
)

func s(ns float64, metrics ...any) sample {
	m := map[string]float64{}
	for i := 0; i+1 < len(metrics); i += 2 {
		m[metrics[i].(string)] = float64(metrics[i+1].(int))
	}
	return sample{ns: ns, metrics: m}
}

// testCollector holds three rounds of a run.
func testCollector() *collector {
	c := newCollector()
	for _, ns := range []float64{300, 200, 250} {
		c.add(key{"send/r=1", "django"}, s(ns), 40<<10)
	}
	for _, ns := range []float64{5, 2, 3} {
		c.add(key{"send/r=1", ours}, s(ns), 17<<10)
	}
	for _, ns := range []float64{1, 1.5, 1.2} {
		c.add(key{"send/r=1", "loop"}, s(ns), 17<<10)
	}
	for _, ns := range []float64{3, 3.5, 5} {
		c.add(key{"send/r=1", "eventbus"}, s(ns), 22<<10)
	}
	save := func(ns float64) sample { return s(ns, "queries/op", 100, "pre_save/op", 100, "post_save/op", 100) }
	c.add(key{"save", "django"}, save(300), 40<<10)
	c.add(key{"save", ours}, save(150), 25<<10)
	c.add(key{"save", "gorm"}, s(120, "queries/op", 100, "pre_save/op", 0, "post_save/op", 0), 23<<10)
	c.add(key{"cascade", "django"}, s(500, "queries/op", 126, "pre_delete/op", 12001, "post_delete/op", 12001), 47<<10)
	c.add(key{"cascade", ours}, s(30, "queries/op", 1, "pre_delete/op", 0, "post_delete/op", 0), 22<<10)
	return c
}

func TestPick(t *testing.T) {
	se := &series{samples: []sample{s(5), s(2), s(3), s(9)}}
	if got := pick(se, "best").ns; got != 2 {
		t.Errorf("best = %v, want 2", got)
	}
	if got := pick(se, "median").ns; got != 3 {
		t.Errorf("median = %v, want 3 (the lower middle)", got)
	}
}

func TestReportChecks(t *testing.T) {
	r := buildReport(testCollector(), "best", sizes{100, 2000, 5})
	var got []string
	for _, c := range r.checks {
		got = append(got, c.workload+" | "+c.what+" | "+c.verdict)
	}
	want := []string{
		"send/r=1 | 80× Django | met (100×)",
		"send/r=1 | 2× the fastest Go peer (asaskevich/EventBus Publish) | missed: 1.50×, 25% short of 2×",
		"save | 3× Django | missed: 2.00×, 33% short of 3×",
		"cascade | 5× Django | not comparable: Go sent 0 signals, Django 24002",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("checks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	save := r.checks[2].why
	for _, part := range []string{"GORM alone, no signals (floor) takes 120 ns, signalsgorm plugin 150 ns, Django 300 ns",
		"Reaching 3× would take 100 ns or less on the Go side.",
		"only 2.50× faster", "The signals add 30.0 ns over the floor (20% of the Go time)"} {
		if !strings.Contains(save, part) {
			t.Errorf("why %q lacks %q", save, part)
		}
	}
}

func TestCascadeQueryCheck(t *testing.T) {
	c := newCollector()
	c.add(key{"cascade", "django"}, s(500, "queries/op", 126, "pre_delete/op", 10, "post_delete/op", 10), 1)
	c.add(key{"cascade", ours}, s(50, "queries/op", 130, "pre_delete/op", 10, "post_delete/op", 10), 1)
	r := buildReport(c, "best", sizes{1, 1, 1})
	if len(r.checks) != 2 || !r.checks[0].met || r.checks[1].met || r.checks[1].verdict != "missed (130 vs 126)" {
		t.Errorf("checks %+v", r.checks)
	}
}

func TestTables(t *testing.T) {
	r := buildReport(testCollector(), "best", sizes{100, 2000, 5})
	d := r.djangoTable()
	if len(d.rows) != 3 {
		t.Fatalf("Django table rows %v", d.rows)
	}
	if want := []string{"send, 1 receiver", "≥ 80×", "200 ns", "2.00 ns", "100×", "— / —", "— / —", "40.0 MiB / 17.0 MiB"}; strings.Join(d.rows[0], "|") != strings.Join(want, "|") {
		t.Errorf("first row %q, want %q", d.rows[0], want)
	}
	if got := d.rows[2][4]; got != "16.7× (not comparable: signals differ)" {
		t.Errorf("cascade ratio cell %q", got)
	}
	g := r.goTable()
	var impls []string
	for _, row := range g.rows {
		impls = append(impls, row[1])
	}
	want := "plain loop over funcs (floor),signals Signal.Send,asaskevich/EventBus Publish,GORM alone, no signals (floor),signalsgorm plugin,signalsgorm plugin"
	if strings.Join(impls, ",") != want {
		t.Errorf("Go table implementations %q", impls)
	}
	md := g.markdown()
	if lines := strings.Count(md, "\n"); lines != 2+len(g.rows) {
		t.Errorf("markdown has %d lines, want %d:\n%s", lines, 2+len(g.rows), md)
	}
	txt := d.text()
	lines := strings.Split(strings.TrimSuffix(txt, "\n"), "\n")
	for _, l := range lines[1:] {
		if len([]rune(l)) != len([]rune(lines[0])) {
			t.Errorf("text table lines differ in width:\n%s", txt)
			break
		}
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{duration(3.989), "3.99 ns"}, {duration(246), "246 ns"}, {duration(5420), "5.42 µs"},
		{duration(112345678), "112 ms"}, {duration(3.4e9), "3.40 s"}, {duration(-1), "—"},
		{times(312.4), "312×"}, {times(6.31), "6.31×"}, {times(63.2), "63.2×"},
		{mib(40 << 10), "40.0 MiB"}, {mib(0), "—"},
		{workloadName("send/r=0", sizes{}), "send, 0 receivers"},
		{workloadName("async/r=1", sizes{}), "async send, 1 receiver"},
		{workloadName("cascade", sizes{books: 2000, comments: 5}), "cascade delete 1 → 2000 → 10000"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// When the floor measures slower than the signals (noise), the note says so
// rather than reporting a negative cost.
func TestWhyBelowNoise(t *testing.T) {
	c := newCollector()
	save := func(ns float64, n int) sample { return s(ns, "pre_save/op", n, "post_save/op", n) }
	c.add(key{"save", "django"}, save(300, 10), 1)
	c.add(key{"save", ours}, save(120, 10), 1)
	c.add(key{"save", "gorm"}, save(168, 0), 1)
	r := buildReport(c, "best", sizes{10, 1, 1})
	if len(r.checks) != 1 || r.checks[0].met {
		t.Fatalf("checks %+v", r.checks)
	}
	if why := r.checks[0].why; !strings.Contains(why, "below this run's noise") || strings.Contains(why, "add") {
		t.Errorf("why = %q", why)
	}
}
