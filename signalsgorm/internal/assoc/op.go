// Package assoc decodes what GORM does to many2many relations: which
// method of GORM's Association API runs a statement, how a relation's join
// table is laid out, and which owners and related keys a join-table
// statement names. Its functions read statements and schemas and return
// plain values; they send nothing and touch no database.
package assoc

import (
	"runtime"
	"strings"
)

// Op is the method of GORM's Association API that issued a statement.
type Op uint8

// The Association methods told apart.
const (
	None    Op = iota // not an Association method: a save, a delete
	Append            // Association.Append
	Replace           // Association.Replace
	Delete            // Association.Delete
	Clear             // Association.Clear
)

var opNames = [...]string{None: "none", Append: "Append", Replace: "Replace", Delete: "Delete", Clear: "Clear"}

// String returns the name of the Association method, or "none".
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "Op(?)"
}

const (
	assocPrefix    = "gorm.io/gorm.(*Association)."
	dispatchPrefix = "github.com/gosignals/signals."
)

// Caller returns the Association method the current statement runs for,
// read from the call stack: GORM passes neither the method nor the
// Association to its callbacks, and join rows are written by the same
// Create and Delete statements whether Append, Replace, Clear, a save or a
// deletion wrote them. The walk stops at the signal dispatcher, so that a
// statement a receiver runs is not attributed to the Association call whose
// signal it handles. It costs a stack walk: call it only when a receiver
// listens.
func Caller() Op {
	var pcs [64]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	replace := false
	for {
		f, more := frames.Next()
		if replace {
			// Clear is Replace with no values; its frame follows Replace's.
			if f.Function == assocPrefix+"Clear" {
				return Clear
			}
			return Replace
		}
		if strings.HasPrefix(f.Function, dispatchPrefix) {
			return None
		}
		op := frameOp(f.Function)
		if op == Replace {
			replace = true
		} else if op != None {
			return op
		}
		if !more {
			break
		}
	}
	if replace {
		return Replace
	}
	return None
}

// frameOp returns the Association method a function of the call stack is.
func frameOp(function string) Op {
	name, ok := strings.CutPrefix(function, assocPrefix)
	if !ok {
		return None
	}
	switch name {
	case "Append":
		return Append
	case "Delete":
		return Delete
	case "Clear":
		return Clear
	case "Replace":
		return Replace
	}
	return None
}
