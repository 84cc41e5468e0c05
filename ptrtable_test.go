package signals

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

type outer struct{ in inner }
type inner struct{ n int }

// The pointer index must agree with == on interfaces: pointers to the same
// address with different types are different senders, nil pointers and
// non-pointer senders fall back to the map, and probing survives many
// senders.
func TestPtrIndex(t *testing.T) {
	o := &outer{}
	senders := []any{o, &o.in, (*outer)(nil), "str", 42, reflect.TypeFor[outer](), make(chan int)}
	for i := range 200 {
		senders = append(senders, reflect.ArrayOf(i+1, reflect.TypeFor[byte]()), &inner{n: i})
	}
	s := New[*[]any]("ptr")
	for _, sender := range senders {
		s.ConnectFunc(func(_ context.Context, got *[]any) error {
			*got = append(*got, sender)
			return nil
		}, Sender(sender))
	}
	p := s.snap.Load()
	if p.byPtr == nil || p.others == nil {
		t.Fatal("want both the pointer index and the map in use")
	}
	for _, sender := range senders {
		var got []any
		if err := s.Send(context.Background(), sender, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != sender {
			t.Fatalf("send from %#v called the receivers of %#v", sender, got)
		}
	}
	for _, stranger := range []any{&outer{}, (*inner)(nil), "other", reflect.TypeFor[inner]()} {
		if s.HasListeners(stranger) {
			t.Fatalf("HasListeners(%#v) = true for a sender with no receivers", stranger)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	s := New[int]("x")
	var senders []any
	for i := range 50 {
		senders = append(senders, reflect.ArrayOf(i+1, reflect.TypeFor[int]()))
		s.ConnectFunc(func(context.Context, int) error { return nil }, Sender(senders[i]))
	}
	p := s.snap.Load()
	for _, k := range []any{senders[17], reflect.TypeFor[outer](), "str"} {
		b.Run(fmt.Sprintf("%T", k), func(b *testing.B) {
			for b.Loop() {
				p.lookup(k)
			}
		})
	}
}
