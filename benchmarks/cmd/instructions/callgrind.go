package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A profile is what one callgrind output file says about the collected
// part of a run: the instructions executed (event Ir) in total and by
// function, each function's own instructions apart from those of the
// functions it calls (its exclusive cost).
type profile struct {
	total int64
	fns   map[string]int64
}

// parseProfile reads a callgrind output file (the format of valgrind's
// docs/callgrind-format, as written by callgrind 3.x): its events and
// positions lines, its totals or summary line, and its cost lines, which
// it adds to the function of the last fn= line. The cost line after a
// calls= line is the inclusive cost of a call, counted in the callee's own
// lines, and is skipped. Function names may be compressed, "(id) name"
// defining an id that later "(id)" lines refer to, in fn= and cfn= lines
// alike.
func parseProfile(r io.Reader) (profile, error) {
	p := &profileParser{profile: profile{total: -1, fns: map[string]int64{}}, names: map[string]string{}, ir: -1, positions: 1}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		if err := p.line(sc.Text()); err != nil {
			return p.profile, fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return p.profile, err
	}
	if p.ir < 0 {
		return p.profile, fmt.Errorf("not a callgrind output: no events line")
	}
	if p.total < 0 {
		return p.profile, fmt.Errorf("no totals or summary line")
	}
	return p.profile, nil
}

// profileParser is parseProfile's state between lines.
type profileParser struct {
	profile
	names     map[string]string // compressed name ids
	ir        int               // index of Ir among the events
	positions int               // position fields on a cost line
	fn        string            // the function of the cost lines
	skip      bool              // the next cost line is a call's
}

func (p *profileParser) line(line string) error {
	if line == "" {
		return nil
	}
	if c := line[0]; c >= '0' && c <= '9' || c == '+' || c == '-' || c == '*' {
		return p.cost(line)
	}
	if key, val, ok := strings.Cut(line, "="); ok {
		switch key {
		case "fn":
			p.fn = expand(p.names, val)
		case "cfn":
			expand(p.names, val) // it may define a compressed name
		case "calls":
			p.skip = true
		}
		return nil
	}
	key, val, _ := strings.Cut(line, ":")
	switch key {
	case "events":
		if p.ir = indexOf(strings.Fields(val), "Ir"); p.ir < 0 {
			return fmt.Errorf("no Ir among the events %q", strings.TrimSpace(val))
		}
	case "positions":
		p.positions = len(strings.Fields(val))
	case "summary", "totals":
		if p.ir < 0 {
			return fmt.Errorf("%s before the events line", key)
		}
		v, err := costField(strings.TrimSpace(val), p.ir)
		if err != nil {
			return err
		}
		p.total = v
	}
	return nil
}

// cost adds a cost line to its function, unless it is a call's.
func (p *profileParser) cost(line string) error {
	if p.skip {
		p.skip = false
		return nil
	}
	if p.ir < 0 {
		return fmt.Errorf("a cost line before the events line")
	}
	v, err := costField(line, p.positions+p.ir)
	if err != nil {
		return err
	}
	p.fns[p.fn] += v
	return nil
}

// costField returns field i of a cost line (positions first, then one
// cost per event; missing trailing costs are zero).
func costField(line string, i int) (int64, error) {
	f := strings.Fields(line)
	if i >= len(f) {
		return 0, nil
	}
	v, err := strconv.ParseInt(f[i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cost %q: %w", f[i], err)
	}
	return v, nil
}

// expand resolves a possibly compressed name: "(12) main.run" defines 12,
// "(12)" refers to it; an uncompressed name is itself.
func expand(names map[string]string, s string) string {
	if !strings.HasPrefix(s, "(") {
		return s
	}
	id, name, _ := strings.Cut(s, ")")
	name = strings.TrimSpace(name)
	if name == "" {
		return names[id]
	}
	names[id] = name
	return name
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// An output is the line a harness program prints after its measured work:
// "ops=N rows=R mallocs=M bytes=B".
type output struct {
	ops, rows, mallocs, bytes int64
}

// parseOutput reads a harness program's standard output.
func parseOutput(s string) (output, error) {
	var o output
	fields := map[string]*int64{"ops": &o.ops, "rows": &o.rows, "mallocs": &o.mallocs, "bytes": &o.bytes}
	seen := 0
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		dst := fields[k]
		if !ok || dst == nil {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return o, fmt.Errorf("harness output %q: %s: %w", strings.TrimSpace(s), k, err)
		}
		*dst = n
		seen++
	}
	if seen != len(fields) || o.ops < 1 {
		return o, fmt.Errorf("harness output %q: want ops=N rows=R mallocs=M bytes=B with N ≥ 1", strings.TrimSpace(s))
	}
	return o, nil
}
