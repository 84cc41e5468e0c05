// Package callgrind lets a program run under valgrind's callgrind tool
// count the instructions of part of its work only, through callgrind's
// client requests: run it with --collect-atstart=no and wrap the work in
// [Measure].
//
// Callgrind's --toggle-collect=FUNCTION option does not suit Go programs:
// callgrind follows calls and returns on a shadow stack, and a Go program
// switching to the system stack or to another goroutine's stack (as malloc
// and the scheduler do) looks to it like returns out of every frame, which
// turns collection off in the middle of the work, at points that vary with
// the size of the run. The client requests switch collection by
// instruction, whatever the stacks do.
//
// Client requests are special no-op instruction sequences that valgrind
// recognizes; this package implements them on amd64. Elsewhere, and
// outside valgrind, they do nothing.
package callgrind

import "runtime"

// Client request codes, from valgrind's valgrind.h and callgrind.h.
const (
	runningOnValgrind = 0x1001
	toolBase          = 'C'<<24 | 'T'<<16 // VG_USERREQ_TOOL_BASE('C','T')
	toggleCollect     = toolBase + 2
)

// Supported reports whether client requests are implemented on this
// architecture.
const Supported = supported

// OnValgrind reports whether the program runs under valgrind.
func OnValgrind() bool {
	args := [6]uintptr{runningOnValgrind}
	return request(&args) > 0
}

// Toggle flips callgrind's collection state for the calling OS thread.
func Toggle() {
	args := [6]uintptr{toggleCollect}
	request(&args)
}

// Allocs are heap allocations, as go test -benchmem counts them.
type Allocs struct {
	Mallocs uint64 // objects allocated
	Bytes   uint64 // bytes allocated
}

// Measure calls f with callgrind's collection on and returns the heap
// allocations f made. The goroutine is locked to its OS thread meanwhile,
// since collection is switched per thread: what f does runs on that thread,
// and other goroutines' work, like the runtime's background threads, is
// left out.
func Measure(f func() error) (Allocs, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	Toggle()
	err := f()
	Toggle()
	runtime.ReadMemStats(&after)
	return Allocs{after.Mallocs - before.Mallocs, after.TotalAlloc - before.TotalAlloc}, err
}
