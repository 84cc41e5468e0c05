package main

import (
	"fmt"
	"strconv"
)

// A bench is one measurement: a harness program run under callgrind with
// its arguments, and the row of the table that shows it.
type bench struct {
	group  string   // "gorm", "cascade" or "send"
	name   string   // "gorm/create/plugin": what -run matches
	prog   string   // the harness program, a directory of cmd/
	args   []string // its arguments
	labels []string // the row's label cells
	unit   string   // what the figures are per: "op", "row" or "send"
	floor  string   // name of the bench that is this row's floor; "" for a floor
}

// params are the sizes of the workloads.
type params struct {
	ops       int   // gorm: operations per run
	books     []int // cascade: books of the author, one run each
	sends     int   // send: sends per run up to 10 receivers
	receivers []int // send: receiver counts, one run each
}

// groups are the subcommands, in the order "all" runs them.
var groups = []string{"gorm", "cascade", "send"}

// groupTitle describes a group's workload above its table.
func groupTitle(group string, p params) string {
	switch group {
	case "gorm":
		return fmt.Sprintf("GORM Create, Save (an UPDATE) and Delete of one row, in-memory SQLite, %d operations per run", p.ops)
	case "cascade":
		return "Deleting 1 author with B books of 5 comments each (constraint:OnDelete:CASCADE), in-memory SQLite"
	}
	return fmt.Sprintf("One event sent to k no-op receivers, %d sends per run up to 10 receivers (fewer above, EventBus a tenth)", p.sends)
}

// benches returns the measurements of group, in table order.
func benches(group string, p params) []bench {
	switch group {
	case "gorm":
		return gormBenches(p)
	case "cascade":
		return cascadeBenches(p)
	case "send":
		return sendBenches(p)
	}
	return nil
}

var (
	gormOps   = []string{"create", "save", "delete"}
	gormModes = []string{"plain", "plugin", "receivers", "hooks"}
	opLabels  = map[string]string{"create": "Create", "save": "Save (update)", "delete": "Delete"}
	gormLabel = map[string]string{
		"plain":     "plain GORM",
		"plugin":    "plugin, no receivers",
		"receivers": "plugin + no-op pre/post receivers",
		"hooks":     "GORM hook methods",
	}
	cascadeModes = []string{"plain", "plugin", "receivers"}
	cascadeLabel = map[string]string{
		"plain":     "SQLite ON DELETE CASCADE",
		"plugin":    "plugin fast path, no receivers",
		"receivers": "plugin + no-op pre/post_delete receivers",
	}
	sendImpls = []string{"loop", "send", "sender", "robust", "eventbus"}
	sendLabel = map[string]string{
		"loop":     "plain loop over funcs",
		"send":     "Send",
		"sender":   "Send, sender filter",
		"robust":   "SendRobust",
		"eventbus": "asaskevich/EventBus Publish",
	}
)

func gormBenches(p params) []bench {
	var out []bench
	for _, op := range gormOps {
		for _, mode := range gormModes {
			b := bench{group: "gorm", name: "gorm/" + op + "/" + mode, prog: "cggorm",
				args:   []string{mode, op, strconv.Itoa(p.ops)},
				labels: []string{opLabels[op], gormLabel[mode]}, unit: "op"}
			if mode != "plain" {
				b.floor = "gorm/" + op + "/plain"
			}
			out = append(out, b)
		}
	}
	return out
}

func cascadeBenches(p params) []bench {
	var out []bench
	for _, books := range p.books {
		rows := 1 + 6*books
		size := fmt.Sprintf("1 → %d → %d (%d rows)", books, 5*books, rows)
		for _, mode := range cascadeModes {
			b := bench{group: "cascade", name: fmt.Sprintf("cascade/%d/%s", books, mode), prog: "cggorm",
				args:   []string{mode, "cascade", strconv.Itoa(books)},
				labels: []string{size, cascadeLabel[mode]}, unit: "row"}
			if mode != "plain" {
				b.floor = fmt.Sprintf("cascade/%d/plain", books)
			}
			out = append(out, b)
		}
	}
	return out
}

func sendBenches(p params) []bench {
	var out []bench
	for _, k := range p.receivers {
		for _, impl := range sendImpls {
			b := bench{group: "send", name: fmt.Sprintf("send/%s/%d", impl, k), prog: "cgsend",
				args:   []string{impl, strconv.Itoa(k), strconv.Itoa(sendCount(p.sends, impl, k))},
				labels: []string{receiversLabel(k), sendLabel[impl]}, unit: "send"}
			if impl != "loop" {
				b.floor = fmt.Sprintf("send/loop/%d", k)
			}
			out = append(out, b)
		}
	}
	return out
}

// sendCount keeps the receiver calls of a run near sends×10, so that every
// run takes about as long; EventBus, a hundred times slower, gets a tenth.
func sendCount(sends int, impl string, k int) int {
	n := sends
	if k > 10 {
		n = sends * 10 / k
	}
	if impl == "eventbus" {
		n /= 10
	}
	return max(n, 1)
}

func receiversLabel(k int) string {
	if k == 1 {
		return "1 receiver"
	}
	return fmt.Sprintf("%d receivers", k)
}
