package signals

import (
	"math/bits"
	"reflect"
	"unsafe"
)

// ptrTable indexes the senders that are non-nil pointers (reflect.Type,
// *Model, channels) by the two words of their interface value. For such a
// dynamic type two interface values are equal exactly when both words are
// (same type, same address), so a look-up is a multiplicative hash of the
// address and a short linear probe: a few nanoseconds, several times faster
// than a Go map keyed by interface, which hashes through the type. The
// snapshot keeps the senders themselves (in bySender), so an address cannot
// be reused while it is a key here. A table is immutable once built.
type ptrTable struct {
	shift uint
	mask  uintptr
	slots []ptrSlot
}

type ptrSlot struct {
	typ, data uintptr
	idx       int // 1 + index of the sender's list; 0 for an empty slot
}

func words(v any) (typ, data uintptr) {
	w := (*[2]uintptr)(unsafe.Pointer(&v))
	return w[0], w[1]
}

// isPtrSender reports whether sender can be indexed by its words.
func isPtrSender(sender any) bool {
	v := reflect.ValueOf(sender)
	switch v.Kind() {
	case reflect.Pointer, reflect.Chan, reflect.UnsafePointer:
		return !v.IsNil()
	}
	return false
}

const fib = 0x9E3779B97F4A7C15 // 2^64 / golden ratio

// newPtrTable indexes senders[i] as i+1.
func newPtrTable(senders []any) *ptrTable {
	if len(senders) == 0 {
		return nil
	}
	size := 4
	for size < 2*len(senders) {
		size <<= 1
	}
	t := &ptrTable{
		shift: uint(64 - bits.TrailingZeros(uint(size))),
		mask:  uintptr(size - 1),
		slots: make([]ptrSlot, size),
	}
	for i, sender := range senders {
		typ, data := words(sender)
		h := uintptr((uint64(data) * fib) >> t.shift)
		for t.slots[h].idx != 0 {
			h = (h + 1) & t.mask
		}
		t.slots[h] = ptrSlot{typ, data, i + 1}
	}
	return t
}

// get returns 1 + the index of sender, or 0.
func (t *ptrTable) get(sender any) int {
	typ, data := words(sender)
	for h := uintptr((uint64(data) * fib) >> t.shift); ; h++ {
		s := &t.slots[h&t.mask]
		if s.data == data && s.typ == typ || s.idx == 0 {
			return s.idx
		}
	}
}
