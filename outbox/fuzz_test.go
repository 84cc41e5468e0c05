package outbox_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gosignals/signals/outbox"
)

// FuzzDecode checks that Decode never panics, that every error it returns
// is one of its two kinds, and that whatever it accepts re-encodes into an
// envelope that decodes to the same JSON.
func FuzzDecode(f *testing.F) {
	valid, _ := outbox.Encode(sample())
	f.Add(valid)
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`{"v":2,"id":"x"}`))
	f.Add([]byte(`{"v":1,"id":"0193a5f2-7c1e-7b7a-9d0e-4c1f5e2b9a10","signal":"s","model":"m","occurred_at":"2026-01-01T00:00:00Z","changed":{"a":[1,2]}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(` {"v":1.5}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := outbox.Decode(b)
		if err != nil {
			if !errors.Is(err, outbox.ErrMalformed) && !errors.Is(err, outbox.ErrVersion) {
				t.Fatalf("error of no known kind: %v", err)
			}
			if e != nil {
				t.Fatal("an envelope with an error")
			}
			return
		}
		again, err := outbox.Encode(e)
		if err != nil {
			t.Fatalf("accepted %q but cannot encode it: %v", b, err)
		}
		e2, err := outbox.Decode(again)
		if err != nil {
			t.Fatalf("re-encoded %q does not decode: %v", again, err)
		}
		third, _ := outbox.Encode(e2)
		if !bytes.Equal(again, third) {
			t.Fatalf("not stable:\n%s\n%s", again, third)
		}
	})
}
