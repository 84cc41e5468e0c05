package signalstest

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// Timeline records the order in which the signals of several recorders
// fired, one line per event: the signal's name, or the line chosen with
// [Describe]. Pass it to [Record] with [OnTimeline]; [Timeline.Add] adds
// lines of your own. It is safe for concurrent use.
type Timeline struct {
	tb    testing.TB
	mu    sync.Mutex
	names []string
	lines []string
	seq   int // events ever recorded
	taken int // lines before this index were returned by Take
}

// NewTimeline returns an empty timeline reporting failures to tb.
func NewTimeline(tb testing.TB) *Timeline { return &Timeline{tb: tb} }

// add records an event of signal name as line and returns its sequence
// number, from 1.
func (tl *Timeline) add(name, line string) int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.names = append(tl.names, name)
	tl.lines = append(tl.lines, line)
	tl.seq++
	return tl.seq
}

// Add records line, for something that is not a signal: a callback that
// ran, a step of the test.
func (tl *Timeline) Add(line string) { tl.add(line, line) }

// Names returns the names of the signals in the order they fired (for a
// line given to Add, the line).
func (tl *Timeline) Names() []string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return slices.Clone(tl.names)
}

// Lines returns every line recorded, in order.
func (tl *Timeline) Lines() []string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return slices.Clone(tl.lines)
}

// Take returns the lines recorded since the last Take (or Reset) and
// leaves them out of the next Take.
func (tl *Timeline) Take() []string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	out := slices.Clone(tl.lines[tl.taken:])
	tl.taken = len(tl.lines)
	return out
}

// Reset forgets what was recorded, so that a timeline can serve the next
// case of a table test.
func (tl *Timeline) Reset() {
	tl.mu.Lock()
	tl.names, tl.lines, tl.taken = nil, nil, 0
	tl.mu.Unlock()
}

// AssertOrder reports whether the signals fired exactly in the order given,
// failing the test (without stopping it) if not.
func (tl *Timeline) AssertOrder(names ...string) bool {
	tl.tb.Helper()
	got := tl.Names()
	if !slices.Equal(got, names) {
		tl.tb.Errorf("signalstest: signals fired in order\n\t%s\nwant\n\t%s", strings.Join(got, " → "), strings.Join(names, " → "))
		return false
	}
	return true
}

// AssertNext takes the lines recorded since the last Take (see
// [Timeline.Take]) and reports whether they are exactly lines, failing the
// test (without stopping it) if not, with both lists one line each.
func (tl *Timeline) AssertNext(lines ...string) bool {
	tl.tb.Helper()
	got := tl.Take()
	if !slices.Equal(got, lines) {
		tl.tb.Errorf("signalstest: recorded\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(lines, "\n\t"))
		return false
	}
	return true
}
