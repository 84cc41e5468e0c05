package callgrind

import (
	"errors"
	"testing"
)

var sink []*[64]byte

// Outside valgrind the client requests do nothing, and Measure still
// counts f's allocations and returns its error.
func TestMeasureOutsideValgrind(t *testing.T) {
	if OnValgrind() {
		t.Skip("running under valgrind")
	}
	Toggle() // a no-op: must not crash
	boom := errors.New("boom")
	a, err := Measure(func() error {
		for range 10 {
			sink = append(sink, new([64]byte))
		}
		return boom
	})
	if err != boom {
		t.Errorf("Measure returned %v, want f's error", err)
	}
	if a.Mallocs < 10 || a.Bytes < 640 {
		t.Errorf("Measure counted %+v, want at least 10 objects of 64 bytes", a)
	}
	sink = nil
	if a, _ := Measure(func() error { return nil }); a.Mallocs != 0 {
		t.Errorf("an empty f allocated %d objects", a.Mallocs)
	}
}
