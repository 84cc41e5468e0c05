package outbox_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gosignals/signals/outbox"
)

type base struct{ ID int }

type shadowed struct {
	base
	ID     string
	L      []int     `json:",omitempty"`
	T      time.Time `json:",omitempty"`
	Secret string    `signals:"-" json:"secret"`
}

type custom struct{ A int }

func (c *custom) MarshalJSON() ([]byte, error) { return []byte(`"custom"`), nil }

type withCustom struct {
	C      custom
	Hidden int `signals:"-"`
}

// MarshalInstance writes what encoding/json writes (field conflicts,
// omitempty, custom marshalers), minus the hidden fields.
func TestMarshalInstanceIsEncodingJSON(t *testing.T) {
	v := &shadowed{base: base{ID: 1}, ID: "outer", L: []int{}, Secret: "s3cret"}
	got, err := outbox.MarshalInstance(v)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(struct {
		base
		ID string
		L  []int     `json:",omitempty"`
		T  time.Time `json:",omitempty"`
	}{v.base, v.ID, v.L, v.T})
	if string(got) != string(want) {
		t.Fatalf("MarshalInstance = %s\nencoding/json = %s", got, want)
	}
	got, err = outbox.MarshalInstance(&withCustom{Hidden: 7})
	if err != nil || string(got) != `{"C":"custom"}` {
		t.Fatalf("custom marshaler: %s, %v", got, err)
	}
}
