package signalstest

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// Timeline records the order in which the signals of several recorders
// fired. Pass it to [Record] with [OnTimeline]. It is safe for concurrent
// use.
type Timeline struct {
	tb    testing.TB
	mu    sync.Mutex
	names []string
}

// NewTimeline returns an empty timeline reporting failures to tb.
func NewTimeline(tb testing.TB) *Timeline { return &Timeline{tb: tb} }

func (tl *Timeline) add(name string) int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.names = append(tl.names, name)
	return len(tl.names)
}

// Names returns the names of the signals in the order they fired.
func (tl *Timeline) Names() []string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return slices.Clone(tl.names)
}

// Reset forgets what was recorded.
func (tl *Timeline) Reset() {
	tl.mu.Lock()
	tl.names = nil
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
