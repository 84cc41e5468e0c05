package signalsgorm

import (
	"runtime"
	"strings"
)

// assocOp is the method of GORM's Association API that issued a statement.
type assocOp uint8

const (
	opNone    assocOp = iota // not an Association method: a save, a delete
	opAppend                 // Association.Append
	opReplace                // Association.Replace
	opDelete                 // Association.Delete
	opClear                  // Association.Clear
)

const (
	assocPrefix    = "gorm.io/gorm.(*Association)."
	dispatchPrefix = "github.com/gosignals/signals."
)

// associationOp returns the Association method the current statement runs
// for, read from the call stack: GORM passes neither the method nor the
// Association to its callbacks, and join rows are written by the same
// Create and Delete statements whether Append, Replace, Clear, a save or a
// deletion wrote them. The walk stops at the signal dispatcher, so that a
// statement a receiver runs is not attributed to the Association call whose
// signal it handles. It is only called when a receiver listens.
func associationOp() assocOp {
	var pcs [64]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	replace := false
	for {
		f, more := frames.Next()
		if replace {
			// Clear is Replace with no values; its frame follows Replace's.
			if f.Function == assocPrefix+"Clear" {
				return opClear
			}
			return opReplace
		}
		if strings.HasPrefix(f.Function, dispatchPrefix) {
			return opNone
		}
		if name, ok := strings.CutPrefix(f.Function, assocPrefix); ok {
			switch name {
			case "Append":
				return opAppend
			case "Delete":
				return opDelete
			case "Clear":
				return opClear
			case "Replace":
				replace = true
			}
		}
		if !more {
			break
		}
	}
	if replace {
		return opReplace
	}
	return opNone
}
