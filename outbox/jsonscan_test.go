package outbox

import (
	"encoding/json"
	"testing"
)

// valid reports whether the scanner accepts b as one JSON value with
// nothing but blanks after it.
func valid(b []byte) bool {
	s := scanner{b: b}
	if _, _, err := s.value(); err != nil {
		return false
	}
	s.blank()
	return s.i == len(b)
}

// The scanner accepts exactly what encoding/json accepts.
func FuzzScannerMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2,{"b":null}],"c":"\u00e9\ud83d\ude00"}`, `-0.5e+3`, `"\x"`, `[1,]`,
		`{"a" 1}`, `01`, `1.`, `"` + "\x01" + `"`, " true ", `nul`, `{"a":1}}`, `[[[]]]`, `"\ud800"`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := valid(b), json.Valid(b); got != want {
			t.Fatalf("scanner says %v, encoding/json %v, for %q", got, want, b)
		}
		if !json.Valid(b) || len(b) == 0 || b[0] != '"' {
			return
		}
		var want string
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		s := scanner{b: b}
		start, end, esc, _ := s.str()
		if got := text(b[start:end], esc); got != want {
			t.Fatalf("text(%q) = %q, encoding/json %q", b, got, want)
		}
	})
}

// appendString writes what encoding/json reads back as the same string.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\x00\x1f\n\t", "é😀", "\xff\xfe", "<&>", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q encodes to %s: %v", s, b, err)
		}
		want, _ := json.Marshal(s)
		var w string
		_ = json.Unmarshal(want, &w)
		if got != w {
			t.Fatalf("%q: round trip %q, encoding/json %q", s, got, w)
		}
	})
}

func TestCutFields(t *testing.T) {
	hidden := map[string]bool{"secret": true, "a<b": true}
	for _, c := range []struct{ in, want string }{
		{`{"a":1,"secret":"x","b":[1,{"secret":2}]}`, `{"a":1,"b":[1,{"secret":2}]}`},
		{`{"secret":1}`, `{}`},
		{`{"secret":{"x":"}"},"z":null}`, `{"z":null}`},
		{`{"a\u003cb":1,"c":"d"}`, `{"c":"d"}`},
		{`"custom"`, `"custom"`},
	} {
		if got := cutFields([]byte(c.in), hidden); string(got) != c.want {
			t.Errorf("cutFields(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}
