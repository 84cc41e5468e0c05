package outbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Decode parses and validates an envelope. It returns an error wrapping
// [ErrVersion] for an envelope of another version (or none), and one
// wrapping [ErrMalformed] for anything else it cannot accept: not a JSON
// object, invalid JSON, trailing data, a field of the wrong type, a
// missing or invalid id, signal, model or occurred_at. Field names are
// matched exactly (the wire format is lower case); unknown fields are
// skipped.
//
// Decode reads the envelope in one pass, without reflection; the raw
// values of the result (Instance, PKSet, Changed) share one copy of b.
func Decode(b []byte) (*Envelope, error) {
	d := decoder{s: scanner{b: bytes.Clone(b)}}
	e := new(Envelope)
	if err := d.envelope(e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case !d.hasV:
		return nil, fmt.Errorf("%w: no \"v\" field", ErrVersion)
	case d.badV != nil:
		return nil, fmt.Errorf("%w: \"v\" is %s, not an integer", ErrVersion, d.badV)
	case e.V != Version:
		return nil, fmt.Errorf("%w: version %d (this decoder reads version %d)", ErrVersion, e.V, Version)
	case d.typeErr != nil:
		return nil, fmt.Errorf("%w: %v", ErrMalformed, d.typeErr)
	}
	if err := e.validateHead(); err != nil {
		return nil, err
	}
	return e, nil
}

// decoder reads an envelope. Syntax errors stop it; a field of the wrong
// type is recorded and skipped, so that a version error, found later,
// takes precedence.
type decoder struct {
	s       scanner
	hasV    bool
	badV    []byte // the raw "v" when it is not an integer
	typeErr error  // the first field of the wrong type
}

var errNotObject = errors.New("not a JSON object")

// envelope reads the top-level object into e.
func (d *decoder) envelope(e *Envelope) error {
	s := &d.s
	s.blank()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return errNotObject
	}
	s.i++
	s.blank()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
	} else if err := d.members(e); err != nil {
		return err
	}
	s.blank()
	if s.i < len(s.b) {
		return s.syntax("after top-level value")
	}
	return nil
}

// members reads the key:value pairs of the top-level object and its
// closing brace.
func (d *decoder) members(e *Envelope) error {
	s := &d.s
	for {
		s.blank()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.syntax("looking for beginning of object key string")
		}
		ks, ke, esc, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':', "after object key"); err != nil {
			return err
		}
		vs, ve, err := s.value()
		if err != nil {
			return err
		}
		key := s.b[ks:ke]
		if esc {
			key = []byte(text(key, true))
		}
		d.field(e, key, s.b[vs:ve:ve])
		s.blank()
		if s.i >= len(s.b) {
			return errEnd
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.syntax("after object key:value pair")
		}
	}
}

// field stores the (valid) raw value of the field key in e.
func (d *decoder) field(e *Envelope, key, raw []byte) {
	if dst := stringField(e, key); dst != nil {
		d.str(dst, key, raw)
		return
	}
	switch string(key) {
	case "v":
		d.version(e, raw)
	case "created":
		d.boolean(&e.Created, "created", raw)
	case "reverse":
		d.boolean(&e.Reverse, "reverse", raw)
	case "update_fields":
		d.strings(&e.UpdateFields, raw)
	case "changed":
		d.changes(e, raw)
	case "instance":
		e.Instance = json.RawMessage(raw)
	case "pk_set":
		e.PKSet = json.RawMessage(raw)
	case "seq":
		d.seq(e, raw)
	case "occurred_at":
		d.time(e, raw)
	}
}

// stringField returns the string field of e named key, or nil.
func stringField(e *Envelope, key []byte) *string {
	switch string(key) {
	case "id":
		return &e.ID
	case "signal":
		return &e.Signal
	case "model":
		return &e.Model
	case "table":
		return &e.Table
	case "db":
		return &e.Using
	case "pk":
		return &e.PK
	case "action":
		return &e.Action
	case "field":
		return &e.Field
	case "related":
		return &e.Related
	case "tx":
		return &e.Tx
	case "correlation_id":
		return &e.CorrelationID
	}
	return nil
}

func isNull(raw []byte) bool { return raw[0] == 'n' }

func (d *decoder) wrongType(field, want string, raw []byte) {
	if d.typeErr == nil {
		if len(raw) > 40 {
			raw = append(raw[:37:37], "..."...)
		}
		d.typeErr = fmt.Errorf("%q is %s, not %s", field, raw, want)
	}
}

func (d *decoder) version(e *Envelope, raw []byte) {
	if isNull(raw) {
		return
	}
	d.hasV = true
	v, err := strconv.Atoi(string(raw))
	if err != nil {
		d.badV = raw
		return
	}
	d.badV, e.V = nil, v
}

func (d *decoder) str(dst *string, field []byte, raw []byte) {
	switch raw[0] {
	case '"':
		body := raw[1 : len(raw)-1]
		*dst = text(body, bytes.IndexByte(body, '\\') >= 0)
	case 'n':
	default:
		d.wrongType(string(field), "a string", raw)
	}
}

func (d *decoder) boolean(dst *bool, field string, raw []byte) {
	switch raw[0] {
	case 't':
		*dst = true
	case 'f':
		*dst = false
	case 'n':
	default:
		d.wrongType(field, "a boolean", raw)
	}
}

func (d *decoder) seq(e *Envelope, raw []byte) {
	if isNull(raw) {
		return
	}
	n, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		d.wrongType("seq", "an unsigned integer", raw)
		return
	}
	e.Seq = n
}

func (d *decoder) time(e *Envelope, raw []byte) {
	if isNull(raw) {
		return
	}
	var t time.Time
	if raw[0] != '"' || t.UnmarshalJSON(raw) != nil {
		d.wrongType("occurred_at", "an RFC 3339 time", raw)
		return
	}
	e.OccurredAt = t
}

func (d *decoder) strings(dst *[]string, raw []byte) {
	switch raw[0] {
	case 'n':
		*dst = nil
		return
	case '[':
	default:
		d.wrongType("update_fields", "an array of strings", raw)
		return
	}
	out := []string{}
	elements(raw, func(el []byte) {
		if el[0] != '"' {
			d.wrongType("update_fields", "an array of strings", raw)
			return
		}
		var s string
		d.str(&s, nil, el)
		out = append(out, s)
	})
	*dst = out
}

func (d *decoder) changes(e *Envelope, raw []byte) {
	switch raw[0] {
	case 'n':
		e.Changed = nil
		return
	case '{':
	default:
		d.wrongType("changed", "an object", raw)
		return
	}
	m := map[string]Change{}
	members(raw, func(key string, val []byte) {
		var pair [][]byte
		if val[0] == '[' {
			elements(val, func(el []byte) { pair = append(pair, el) })
		}
		if val[0] != '[' || len(pair) != 2 {
			if d.typeErr == nil {
				d.typeErr = fmt.Errorf("change of %q: a change is [old, new], got %s", key, val)
			}
			return
		}
		m[key] = Change{Old: json.RawMessage(pair[0]), New: json.RawMessage(pair[1])}
	})
	e.Changed = m
}

// elements calls fn with each element of the valid JSON array raw.
func elements(raw []byte, fn func(el []byte)) {
	s := scanner{b: raw, i: 1}
	for {
		s.blank()
		if s.b[s.i] == ']' {
			return
		}
		start, end, _ := s.value()
		fn(raw[start:end:end])
		s.blank()
		if s.b[s.i] == ',' {
			s.i++
		}
	}
}

// members calls fn with each member of the valid JSON object raw.
func members(raw []byte, fn func(key string, val []byte)) {
	s := scanner{b: raw, i: 1}
	for {
		s.blank()
		if s.b[s.i] == '}' {
			return
		}
		ks, ke, esc, _ := s.str()
		_ = s.expect(':', "")
		start, end, _ := s.value()
		fn(text(raw[ks:ke], esc), raw[start:end:end])
		s.blank()
		if s.b[s.i] == ',' {
			s.i++
		}
	}
}
