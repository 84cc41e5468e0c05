package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	// Flags before and after the subcommands; groups in their own order,
	// each once.
	cfg, err := parseArgs([]string{"-n", "50", "send", "-base", "main", "gorm", "-books=10,20", "send"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.groups, []string{"gorm", "send"}) {
		t.Errorf("groups %q", cfg.groups)
	}
	if cfg.ops != 50 || cfg.base != "main" || !slices.Equal(cfg.books, []int{10, 20}) ||
		!slices.Equal(cfg.receivers, []int{0, 1, 10, 100}) || cfg.count != 1 || cfg.sends != 100000 {
		t.Errorf("config %+v", cfg)
	}
	cfg, err = parseArgs([]string{"all", "-run", "plugin$"}, io.Discard)
	if err != nil || !slices.Equal(cfg.groups, groups) || !cfg.run.MatchString("gorm/create/plugin") || cfg.run.MatchString("gorm/create/plain") {
		t.Errorf("all: %+v, %v", cfg, err)
	}
}

func TestParseArgsErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "no subcommand"},
		{[]string{"gorms"}, `unknown subcommand "gorms"`},
		{[]string{"-books", "1,x", "cascade"}, "-books"},
		{[]string{"-books", "0", "cascade"}, "≥ 1"},
		{[]string{"-receivers", "-1", "send"}, "-receivers"},
		{[]string{"-run", "(", "send"}, "-run"},
		{[]string{"-n", "0", "gorm"}, "-n, -sends and -count must be ≥ 1"},
		{[]string{"-count", "0", "gorm"}, "-count"},
		{[]string{"-nope", "gorm"}, "not defined"},
	} {
		_, err := parseArgs(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.args, err, c.want)
		}
	}
}

// Every row has a unique name, and a row's floor is a row of the same
// group, itself without a floor.
func TestBenches(t *testing.T) {
	p := params{ops: 10, books: []int{1, 2}, sends: 1000, receivers: []int{0, 1, 100}}
	seen := map[string]bench{}
	var all []bench
	for _, g := range groups {
		bs := benches(g, p)
		if len(bs) == 0 {
			t.Errorf("%s: no rows", g)
		}
		for _, b := range bs {
			if _, dup := seen[b.name]; dup {
				t.Errorf("two rows named %s", b.name)
			}
			if b.group != g || !strings.HasPrefix(b.name, g+"/") || len(b.labels) != 2 {
				t.Errorf("row %+v", b)
			}
			seen[b.name] = b
			all = append(all, b)
		}
	}
	for _, b := range all {
		if b.floor == "" {
			continue
		}
		if f, ok := seen[b.floor]; !ok || f.group != b.group || f.floor != "" {
			t.Errorf("%s: floor %q is not a floor row of its group", b.name, b.floor)
		}
	}
	if n := len(benches("gorm", p)); n != 12 {
		t.Errorf("gorm: %d rows, want 3 operations × 4 modes", n)
	}
	if got := seen["cascade/2/receivers"].args; !slices.Equal(got, []string{"receivers", "cascade", "2"}) {
		t.Errorf("cascade args %q", got)
	}
}

func TestSendCount(t *testing.T) {
	for _, c := range []struct {
		impl    string
		k, want int
	}{
		{"send", 0, 1000}, {"send", 10, 1000}, {"send", 100, 100}, {"loop", 1000, 10},
		{"eventbus", 1, 100}, {"eventbus", 100, 10}, {"eventbus", 100000, 1},
	} {
		if got := sendCount(1000, c.impl, c.k); got != c.want {
			t.Errorf("sendCount(1000, %s, %d) = %d, want %d", c.impl, c.k, got, c.want)
		}
	}
}
