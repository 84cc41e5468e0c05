package main

import (
	"maps"
	"math"
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

// addRounds adds one sample of each ns to the series of k, in rounds 1, 2, ...
func addRounds(c *collector, k key, rss int64, ns ...float64) {
	for i, v := range ns {
		c.add(k, i+1, s(v), rss)
	}
}

// testCollector holds three rounds of the dispatch workload and one of the
// database workloads.
func testCollector() *collector {
	c := newCollector()
	addRounds(c, key{"send/r=1", "django"}, 40<<10, 300, 200, 250)
	addRounds(c, key{"send/r=1", ours}, 17<<10, 5, 2, 3)
	addRounds(c, key{"send/r=1", "loop"}, 17<<10, 1, 1.5, 1.2)
	addRounds(c, key{"send/r=1", "eventbus"}, 22<<10, 3, 3.5, 5)
	save := func(ns float64) sample { return s(ns, "queries/op", 100, "pre_save/op", 100, "post_save/op", 100) }
	c.add(key{"save", "django"}, 1, save(300), 40<<10)
	c.add(key{"save", ours}, 1, save(150), 25<<10)
	c.add(key{"save", "gorm"}, 1, s(120, "queries/op", 100, "pre_save/op", 0, "post_save/op", 0), 23<<10)
	c.add(key{"cascade", "django"}, 1, s(500, "queries/op", 126, "pre_delete/op", 12001, "post_delete/op", 12001), 47<<10)
	c.add(key{"cascade", ours}, 1, s(30, "queries/op", 1, "pre_delete/op", 0, "post_delete/op", 0), 22<<10)
	return c
}

// A round's figure is its fastest sample; a series' time is the median of
// its rounds' figures, its metrics those of the median round.
func TestSummarize(t *testing.T) {
	c := newCollector()
	k := key{"save", ours}
	for _, x := range []struct {
		round int
		ns    float64
	}{{1, 9}, {1, 5}, {1, 7}, {2, 3}, {2, 4}, {3, 8}, {4, 6}} {
		c.add(k, x.round, s(x.ns, "queries/op", int(x.ns)), 1)
	}
	m := summarize(c.series[k])
	if want := map[int]float64{1: 5, 2: 3, 3: 8, 4: 6}; !maps.Equal(m.rounds, want) {
		t.Errorf("rounds %v, want %v", m.rounds, want)
	}
	if m.ns != 5.5 {
		t.Errorf("time %v, want 5.5 (the median of 3, 5, 6, 8)", m.ns)
	}
	if q, _ := m.queries(); q != 5 {
		t.Errorf("metrics of round with %v queries, want those of the lower middle round (5)", q)
	}
}

// Django ÷ Go is the median of the rounds' ratios: a loaded round slows
// both sides of its pair, and does not move the median. The best of each
// side, taken from different rounds, would say 5×; the ratio of the medians
// 6.67×; within every round but one, Django took 10× Go's time.
func TestMedianOfRatios(t *testing.T) {
	c := newCollector()
	addRounds(c, key{"send/r=1", "django"}, 1, 100, 200, 300)
	addRounds(c, key{"send/r=1", ours}, 1, 50, 20, 30)
	r := buildReport(c, sizes{})
	d, g := r.get("send/r=1", "django"), r.get("send/r=1", ours)
	if got := ratio(d, g); got != 10 {
		t.Errorf("ratio %v, want 10", got)
	}
	if d.ns != 200 || g.ns != 30 {
		t.Errorf("times %v and %v, want the medians 200 and 30", d.ns, g.ns)
	}
	if row := r.djangoTable().Rows[0]; row[4] != "10.0×" {
		t.Errorf("Django ÷ Go cell %q, want 10.0×", row[4])
	}
	if c := r.checks[0]; c.ratio != 10 || c.met {
		t.Errorf("80× check %+v: want the ratio 10, missed", c)
	}
}

func TestRatio(t *testing.T) {
	m := func(rounds map[int]float64) measured { return measured{rounds: rounds, ok: true} }
	for _, c := range []struct {
		name string
		a, b map[int]float64
		want float64
	}{
		{"odd", map[int]float64{1: 4, 2: 9, 3: 1}, map[int]float64{1: 2, 2: 3, 3: 1}, 2},
		{"even: mean of the middle two", map[int]float64{1: 2, 2: 4, 3: 6, 4: 8}, map[int]float64{1: 1, 2: 1, 3: 1, 4: 1}, 5},
		{"rounds of one side only are left out", map[int]float64{1: 6, 2: 100}, map[int]float64{1: 2, 3: 1}, 3},
	} {
		if got := ratio(m(c.a), m(c.b)); got != c.want {
			t.Errorf("%s: ratio = %v, want %v", c.name, got, c.want)
		}
	}
	if got := ratio(m(map[int]float64{1: 1}), m(map[int]float64{2: 1})); !math.IsNaN(got) {
		t.Errorf("no common round: ratio = %v, want NaN", got)
	}
	if got := times(math.NaN()); got != "—" {
		t.Errorf("times(NaN) = %q", got)
	}
}

func TestReportChecks(t *testing.T) {
	r := buildReport(testCollector(), sizes{100, 2000, 5})
	var got []string
	for _, c := range r.checks {
		got = append(got, c.workload+" | "+c.what+" | "+c.verdict)
	}
	// send: Django ÷ Go per round 60, 100, 83.3; EventBus ÷ Go 0.6, 1.75, 1.67.
	want := []string{
		"send/r=1 | 80× Django | met (83.3×)",
		"send/r=1 | 2× the fastest Go peer (asaskevich/EventBus Publish) | missed: 1.67×, 17% short of 2×",
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
	c.add(key{"cascade", "django"}, 1, s(500, "queries/op", 126, "pre_delete/op", 10, "post_delete/op", 10), 1)
	c.add(key{"cascade", ours}, 1, s(50, "queries/op", 130, "pre_delete/op", 10, "post_delete/op", 10), 1)
	r := buildReport(c, sizes{1, 1, 1})
	if len(r.checks) != 2 || !r.checks[0].met || r.checks[1].met || r.checks[1].verdict != "missed (130 vs 126)" {
		t.Errorf("checks %+v", r.checks)
	}
}

func TestTables(t *testing.T) {
	r := buildReport(testCollector(), sizes{100, 2000, 5})
	d := r.djangoTable()
	if len(d.Rows) != 3 {
		t.Fatalf("Django table rows %v", d.Rows)
	}
	if want := []string{"send, 1 receiver", "≥ 80×", "250 ns", "3.00 ns", "83.3×", "— / —", "— / —", "40.0 MiB / 17.0 MiB"}; strings.Join(d.Rows[0], "|") != strings.Join(want, "|") {
		t.Errorf("first row %q, want %q", d.Rows[0], want)
	}
	if got := d.Rows[2][4]; got != "16.7× (not comparable: signals differ)" {
		t.Errorf("cascade ratio cell %q", got)
	}
	g := r.goTable()
	var impls []string
	for _, row := range g.Rows {
		impls = append(impls, row[1])
	}
	want := "plain loop over funcs (floor),signals Signal.Send,asaskevich/EventBus Publish,GORM alone, no signals (floor),signalsgorm plugin,signalsgorm plugin"
	if strings.Join(impls, ",") != want {
		t.Errorf("Go table implementations %q", impls)
	}
	// ÷ signals is the median of the rounds' ratios too: EventBus 1.67×.
	if got := g.Rows[2][3]; got != "1.67×" {
		t.Errorf("EventBus ÷ signals cell %q, want 1.67×", got)
	}
	md := g.Markdown()
	if lines := strings.Count(md, "\n"); lines != 2+len(g.Rows) {
		t.Errorf("markdown has %d lines, want %d:\n%s", lines, 2+len(g.Rows), md)
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
	c.add(key{"save", "django"}, 1, save(300, 10), 1)
	c.add(key{"save", ours}, 1, save(120, 10), 1)
	c.add(key{"save", "gorm"}, 1, save(168, 0), 1)
	r := buildReport(c, sizes{10, 1, 1})
	if len(r.checks) != 1 || r.checks[0].met {
		t.Fatalf("checks %+v", r.checks)
	}
	if why := r.checks[0].why; !strings.Contains(why, "below this run's noise") || strings.Contains(why, "add") {
		t.Errorf("why = %q", why)
	}
}
