package main

import (
	"maps"
	"strings"
	"testing"
)

// A callgrind output in the shape callgrind 3.x writes: compressed names
// defined in fn= and cfn= lines, relative positions, a call whose
// inclusive cost line must not count for the caller.
const profileText = `# callgrind format
version: 1
creator: callgrind-3.19.0
cmd:  ./cggorm plugin create 3
part: 1

desc: Trigger: Program termination

positions: line
events: Ir
summary: 1157


ob=(1) /tmp/cggorm
fl=(1) /work/benchmarks/cmd/cggorm/crud.go
fn=(1) main.runCreate
12 100
+2 50
cfi=(2) /root/go/pkg/mod/gorm.io/gorm@v1.31.2/finisher_api.go
cfn=(2) gorm.io/gorm.(*DB).Create
calls=3 20
* 900
-1 7

fl=(2)
fn=(2)
20 600
fi=(3) /usr/local/go/src/runtime/malloc.go
+5 300
fe=(2)
* 100

fn=(3) runtime.memclrNoHeapPointers
7 0
totals: 1157
`

func TestParseProfile(t *testing.T) {
	p, err := parseProfile(strings.NewReader(profileText))
	if err != nil {
		t.Fatal(err)
	}
	if p.total != 1157 {
		t.Errorf("total %d, want 1157", p.total)
	}
	want := map[string]int64{
		"main.runCreate":               157, // 100 + 50 + 7, not the call's 900
		"gorm.io/gorm.(*DB).Create":    1000,
		"runtime.memclrNoHeapPointers": 0,
	}
	if !maps.Equal(p.fns, want) {
		t.Errorf("functions %v, want %v", p.fns, want)
	}
}

// Ir need not be the only or the first event, and positions may be more
// than one field; missing trailing costs are zero.
func TestParseProfileEvents(t *testing.T) {
	const in = `positions: instr line
events: Dr Ir Dw
summary: 10 230 5
fn=main.f
0x4000 12 1 200 3
+3 +1 0 30
+2 -1 4
`
	p, err := parseProfile(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if p.total != 230 || p.fns["main.f"] != 230 {
		t.Errorf("total %d, main.f %d; want 230 and 230", p.total, p.fns["main.f"])
	}
}

func TestParseProfileErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"no events":      "summary: 5\n",
		"no Ir":          "events: Dr Dw\nsummary: 1 2\n",
		"no totals":      "events: Ir\nfn=main.f\n1 5\n",
		"cost first":     "fn=main.f\n1 5\nevents: Ir\nsummary: 5\n",
		"bad cost":       "events: Ir\nfn=main.f\n1 five\nsummary: 5\n",
		"bad summary":    "events: Ir\nsummary: lots\n",
		"summary before": "summary: 5\nevents: Ir\n",
	} {
		if _, err := parseProfile(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseOutput(t *testing.T) {
	got, err := parseOutput("ops=1000 rows=1000 mallocs=76544 bytes=6365760\n")
	if want := (output{1000, 1000, 76544, 6365760}); err != nil || got != want {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []string{"", "ops=0 rows=0 mallocs=0 bytes=0", "ops=5 rows=5 mallocs=1",
		"ops=x rows=0 mallocs=0 bytes=0", "panic: boom"} {
		if _, err := parseOutput(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
