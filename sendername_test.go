package signals_test

import (
	"reflect"
	"testing"

	"github.com/gosignals/signals"
)

type namedSender struct{}

type stringer struct{ s string }

func (s *stringer) String() string { return s.s }

func TestSenderName(t *testing.T) {
	typ := reflect.TypeFor[namedSender]()
	cases := []struct {
		sender any
		want   string
	}{
		{nil, ""},
		{"shop", "shop"},
		{42, "42"},
		{typ, "signals_test.namedSender"},
		{[]int{1}, "[1]"},
		{&stringer{"x"}, "x"},
		{(*stringer)(nil), "<nil>"}, // a nil receiver must not panic
	}
	for _, c := range cases {
		if got := signals.SenderName(c.sender); got != c.want {
			t.Errorf("SenderName(%#v) = %q, want %q", c.sender, got, c.want)
		}
	}
	signals.NameSender(typ, "shop.Named")
	signals.NameSender([]int{1}, "ignored: not comparable")
	if got := signals.SenderName(typ); got != "shop.Named" {
		t.Fatalf("after NameSender: %q", got)
	}
}
