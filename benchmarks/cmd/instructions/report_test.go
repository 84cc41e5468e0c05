package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// m is a measurement of total instructions over ops operations (and as
// many rows), with mallocs allocations and the given function counts.
func m(total, ops, mallocs int64, fns map[string]int64) measurement {
	return measurement{profile: profile{total: total, fns: fns}, out: output{ops: ops, rows: ops, mallocs: mallocs}}
}

func gormResults(withBase bool) []result {
	bs := gormBenches(params{ops: 1000})[:3] // create: plain, plugin, receivers
	rs := []result{
		{bench: bs[0], cur: m(138_184_000, 1000, 75_300, nil)},
		{bench: bs[1], cur: m(142_184_000, 1000, 77_000, nil)},
		{bench: bs[2], cur: m(147_708_000, 1000, 86_300, nil)},
	}
	if withBase {
		b0, b1 := m(138_184_000, 1000, 75_300, nil), m(146_000_000, 1000, 79_000, nil)
		rs[0].base, rs[1].base = &b0, &b1
	}
	return rs
}

func TestGroupTable(t *testing.T) {
	tb := groupTable("gorm", gormResults(false))
	want := [][]string{
		{"Create", "plain GORM", "138 184", "", "75.3"},
		{"Create", "plugin, no receivers", "142 184", "+4 000 (+2.9%)", "77.0"},
		{"Create", "plugin + no-op pre/post receivers", "147 708", "+9 524 (+6.9%)", "86.3"},
	}
	if !slices.EqualFunc(tb.Rows, want, slices.Equal) {
		t.Errorf("rows\n%q\nwant\n%q", tb.Rows, want)
	}
	if h := strings.Join(tb.Header, "|"); h != "operation|mode|instructions/op|over floor|allocs/op" {
		t.Errorf("header %q", h)
	}
}

// With a base, each row shows both figures and the change; a row the base
// did not measure shows dashes.
func TestGroupTableBase(t *testing.T) {
	tb := groupTable("gorm", gormResults(true))
	want := [][]string{
		{"Create", "plain GORM", "138 184", "138 184", "+0.0%", "", "75.3 → 75.3"},
		{"Create", "plugin, no receivers", "146 000", "142 184", "-2.6%", "+4 000 (+2.9%)", "79.0 → 77.0"},
		{"Create", "plugin + no-op pre/post receivers", "—", "147 708", "—", "+9 524 (+6.9%)", "— → 86.3"},
	}
	if !slices.EqualFunc(tb.Rows, want, slices.Equal) {
		t.Errorf("rows\n%q\nwant\n%q", tb.Rows, want)
	}
}

// The cascade's figures are per row deleted, not per operation; a row
// whose floor -run left out says so with a dash.
func TestGroupTablePerRow(t *testing.T) {
	bs := cascadeBenches(params{books: []int{166}})
	out := output{ops: 1, rows: 997, mallocs: 3988}
	rs := []result{
		{bench: bs[1], cur: measurement{profile: profile{total: 10_566_206}, out: out}},
	}
	tb := groupTable("cascade", rs)
	want := []string{"1 → 166 → 830 (997 rows)", "plugin fast path, no receivers", "10 598", "—", "4.0"}
	if !slices.Equal(tb.Rows[0], want) {
		t.Errorf("row %q, want %q", tb.Rows[0], want)
	}
	if tb.Header[2] != "instructions/row" {
		t.Errorf("header %q", tb.Header)
	}
}

func TestTopChanges(t *testing.T) {
	base := m(1000, 10, 0, map[string]int64{"a": 500, "b": 300, "gone": 200})
	cur := m(1300, 10, 0, map[string]int64{"a": 500, "b": 400, "new": 400})
	got := topChanges(base, cur, "op", 5)
	want := []change{{"new", 40}, {"gone", -20}, {"b", 10}}
	if !slices.Equal(got, want) {
		t.Errorf("changes %v, want %v", got, want)
	}
	if got := topChanges(base, cur, "op", 1); len(got) != 1 || got[0].fn != "new" {
		t.Errorf("top 1: %v", got)
	}
	rs := gormResults(false)
	b := m(1000, 10, 0, map[string]int64{"a": 10})
	rs[0].base, rs[0].cur = &b, m(1000, 10, 0, map[string]int64{"a": 20})
	txt := changesText(rs, 3)
	if want := "Create, plain GORM: exclusive instructions per op, now − base\n          +1.0  a\n"; txt != want {
		t.Errorf("changes text %q, want %q", txt, want)
	}
}

func TestMedian(t *testing.T) {
	ms := []measurement{m(30, 1, 0, nil), m(10, 1, 0, nil), m(20, 1, 0, nil), m(40, 1, 0, nil)}
	if got := median(ms).total; got != 20 {
		t.Errorf("median of 10, 20, 30, 40 = %d, want the lower middle run, 20", got)
	}
	if got := median(ms[:3]).total; got != 20 {
		t.Errorf("median of 30, 10, 20 = %d, want 20", got)
	}
	if ms[0].total != 30 {
		t.Error("median sorted its argument")
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{instr(89.04), "89.0"}, {instr(0), "0.0"}, {instr(99.96), "100.0"}, {instr(100), "100"},
		{instr(2466.4), "2 466"}, {instr(138184), "138 184"}, {instr(1234567), "1 234 567"},
		{instr(-2535), "-2 535"}, {signed(4000), "+4 000"}, {signed(-12.5), "-12.5"},
		{percent(142184, 138184), "+2.9%"}, {percent(1, 0), "—"}, {percent(99, 100), "-1.0%"},
		{overFloor(10598, 13133), "-2 535 (-19.3%)"}, {allocs(0), "0"}, {allocs(76.54), "76.5"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestRender(t *testing.T) {
	cfg := config{groups: []string{"gorm", "send"}, params: params{ops: 1000}, markdown: true, run: regexp.MustCompile("")}
	out := render(cfg, gormResults(false))
	// The send group measured nothing: no title, no table.
	if !strings.Contains(out, "1000 operations per run\n\n| operation | mode |") || strings.Contains(out, "sends per run") {
		t.Errorf("render:\n%s", out)
	}
	if strings.Count(out, "\n|") != 5 { // header, separator, 3 rows
		t.Errorf("render: want one Markdown table of 3 rows:\n%s", out)
	}
}
