package outbox_test

import (
	"testing"

	"github.com/gosignals/signals/outbox"
)

func BenchmarkNewID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = outbox.NewID()
	}
}

func BenchmarkEncode(b *testing.B) {
	e := sample()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := outbox.Encode(e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	p, _ := outbox.Encode(sample())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := outbox.Decode(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalInstance(b *testing.B) {
	u := &User{Base: Base{ID: 7}, Email: "a@b.c", Password: "x"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := outbox.MarshalInstance(u); err != nil {
			b.Fatal(err)
		}
	}
}
