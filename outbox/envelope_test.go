package outbox_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gosignals/signals/outbox"
)

func sample() *outbox.Envelope {
	return &outbox.Envelope{
		ID:           "0193a5f2-7c1e-7b7a-9d0e-4c1f5e2b9a10",
		Signal:       "post_save",
		Model:        "shop.Order",
		Table:        "orders",
		Using:        "default",
		PK:           "42",
		Created:      true,
		UpdateFields: []string{"Status"},
		Changed:      map[string]outbox.Change{"Status": {Old: json.RawMessage(`"new"`), New: json.RawMessage(`"paid"`)}},
		Instance:     json.RawMessage(`{"ID":42,"Status":"paid"}`),
		Tx:           "p1-7",
		Seq:          3,
		OccurredAt:   time.Date(2026, 11, 21, 22, 40, 0, 123456000, time.UTC),
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	e := sample()
	b, err := outbox.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	if e.V != outbox.Version {
		t.Fatalf("Encode left V = %d", e.V)
	}
	for _, want := range []string{`"v":1`, `"changed":{"Status":["new","paid"]}`, `"pk":"42"`, `"db":"default"`, `"seq":3`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("encoded %s lacks %s", b, want)
		}
	}
	got, err := outbox.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, e)
	}
}

func TestDecodeRejects(t *testing.T) {
	valid, _ := outbox.Encode(sample())
	replace := func(old, new string) string { return strings.Replace(string(valid), old, new, 1) }
	tests := []struct {
		name, in string
		want     error
		msg      string
	}{
		{"empty", ``, outbox.ErrMalformed, "not a JSON object"},
		{"array", `[1]`, outbox.ErrMalformed, "not a JSON object"},
		{"truncated", string(valid[:len(valid)-5]), outbox.ErrMalformed, ""},
		{"trailing", string(valid) + `{}`, outbox.ErrMalformed, ""},
		{"no version", replace(`"v":1,`, ``), outbox.ErrVersion, `no "v" field`},
		{"version 2", replace(`"v":1`, `"v":2`), outbox.ErrVersion, "version 2"},
		{"version string", replace(`"v":1`, `"v":"1"`), outbox.ErrVersion, "not an integer"},
		{"short id", replace(`0193a5f2-`, `0193a5f-`), outbox.ErrMalformed, "not a UUID"},
		{"no signal", replace(`"signal":"post_save"`, `"signal":""`), outbox.ErrMalformed, "no signal"},
		{"no model", replace(`"model":"shop.Order"`, `"model":""`), outbox.ErrMalformed, "no model"},
		{"no time", replace(`"occurred_at":"2026-11-21T22:40:00.123456Z"`, `"occurred_at":"0001-01-01T00:00:00Z"`), outbox.ErrMalformed, "no occurred_at"},
		{"bad type", replace(`"seq":3`, `"seq":"x"`), outbox.ErrMalformed, ""},
		{"bad change", replace(`["new","paid"]`, `["new"]`), outbox.ErrMalformed, "[old, new]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := outbox.Decode([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode: %v, want %v", err, tt.want)
			}
			if !outbox.IsPermanent(err) {
				t.Errorf("a decoding error is not permanent: %v", err)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "outbox: ") {
				t.Errorf("error %q should start with outbox: and say %q", err, tt.msg)
			}
		})
	}
}

func TestEncodeRejects(t *testing.T) {
	e := sample()
	e.V = 2
	if _, err := outbox.Encode(e); !errors.Is(err, outbox.ErrVersion) {
		t.Errorf("version 2: %v", err)
	}
	e = sample()
	e.ID = "not-an-id"
	if _, err := outbox.Encode(e); !errors.Is(err, outbox.ErrMalformed) {
		t.Errorf("bad id: %v", err)
	}
	if _, err := outbox.Encode(nil); !errors.Is(err, outbox.ErrMalformed) {
		t.Errorf("nil: %v", err)
	}
}

func TestDecodeIgnoresUnknownFields(t *testing.T) {
	b, _ := outbox.Encode(sample())
	b = []byte(strings.Replace(string(b), `"v":1,`, `"v":1,"causation_id":"x",`, 1))
	if _, err := outbox.Decode(b); err != nil {
		t.Fatalf("a field added within version 1 must be ignored: %v", err)
	}
}

func TestKey(t *testing.T) {
	if got := sample().Key(); got != "shop.Order#42" {
		t.Fatalf("Key = %q", got)
	}
}

// A change from nothing (an empty Old) is written as null and accepted.
func TestEncodeEmptyChangeSide(t *testing.T) {
	env := sample()
	env.Changed = map[string]outbox.Change{"Title": {New: []byte(`"Dune"`)}}
	b, err := outbox.Encode(env)
	if err != nil {
		t.Fatal(err)
	}
	back, err := outbox.Decode(b)
	if err != nil || string(back.Changed["Title"].New) != `"Dune"` {
		t.Fatalf("%v %+v", err, back)
	}
}

// The hand-written codec agrees with encoding/json: what Encode writes,
// encoding/json reads back as the same envelope, and what encoding/json
// writes, Decode reads back as the same envelope.
func FuzzCodecMatchesEncodingJSON(f *testing.F) {
	f.Add("shop.Order", "42", "Status", `{"ID":42,"Name":"<é>"}`, "p1-7", uint64(3), int64(1790000000123456789), true)
	f.Add("a\"b", "{\"id\":1}", "\x00\xff", `[1, 2 ,{"a" : null}]`, "", uint64(0), int64(0), false)
	f.Fuzz(func(t *testing.T, model, pk, field, instance, tx string, seq uint64, nanos int64, created bool) {
		if !json.Valid([]byte(instance)) || model == "" || nanos == 0 {
			return
		}
		e := sample()
		e.Model, e.PK, e.Tx, e.Seq, e.Created = model, pk, tx, seq, created
		e.OccurredAt = time.Unix(0, nanos).UTC()
		e.UpdateFields = []string{field, "x"}
		e.Changed = map[string]outbox.Change{field: {Old: json.RawMessage(instance), New: nil}, "b": {New: json.RawMessage(`1`)}}
		e.Instance = json.RawMessage(instance)
		b, err := outbox.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		var viaStd outbox.Envelope
		if err := json.Unmarshal(b, &viaStd); err != nil {
			t.Fatalf("encoding/json cannot read %s: %v", b, err)
		}
		std, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := outbox.Decode(std)
		if err != nil {
			t.Fatalf("Decode(%s): %v", std, err)
		}
		if !same(t, got, e) || !same(t, &viaStd, e) {
			t.Fatalf("codecs disagree on %s", b)
		}
	})
}

// same reports whether a and b are the same envelope, comparing raw
// values by what they hold (encoding/json escapes <, > and & in them).
func same(t *testing.T, a, b *outbox.Envelope) bool {
	t.Helper()
	var va, vb any
	for _, p := range []struct {
		e *outbox.Envelope
		v *any
	}{{a, &va}, {b, &vb}} {
		j, err := json.Marshal(p.e)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(j, p.v); err != nil {
			t.Fatal(err)
		}
	}
	return reflect.DeepEqual(va, vb)
}
