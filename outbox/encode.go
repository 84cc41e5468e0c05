package outbox

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendJSON appends the envelope's JSON to b: the fields in the order and
// with the omissions of its struct tags, as encoding/json would write
// them, without reflection. Raw values are checked and written as they
// are (compacted if they hold blanks).
func (e *Envelope) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, int64(e.V), 10)
	b = appendField(b, "id", e.ID)
	b = appendField(b, "signal", e.Signal)
	b = appendField(b, "model", e.Model)
	b = appendOmitted(b, "table", e.Table)
	b = appendOmitted(b, "db", e.Using)
	b = appendField(b, "pk", e.PK)
	if e.Created {
		b = append(b, `,"created":true`...)
	}
	b = append(b, `,"update_fields":`...)
	if e.UpdateFields == nil {
		b = append(b, "null"...)
	} else {
		b = appendStrings(b, e.UpdateFields)
	}
	if len(e.Changed) > 0 {
		if b, err = appendChanges(append(b, `,"changed":`...), e.Changed); err != nil {
			return nil, err
		}
	}
	if len(e.Instance) > 0 {
		if b, err = appendRaw(append(b, `,"instance":`...), "instance", e.Instance); err != nil {
			return nil, err
		}
	}
	b = appendOmitted(b, "action", e.Action)
	b = appendOmitted(b, "field", e.Field)
	if e.Reverse {
		b = append(b, `,"reverse":true`...)
	}
	b = appendOmitted(b, "related", e.Related)
	if len(e.PKSet) > 0 {
		if b, err = appendRaw(append(b, `,"pk_set":`...), "pk_set", e.PKSet); err != nil {
			return nil, err
		}
	}
	b = appendOmitted(b, "tx", e.Tx)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"occurred_at":"`...)
	b = e.OccurredAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = appendOmitted(b, "correlation_id", e.CorrelationID)
	return append(b, '}'), nil
}

// sizeHint estimates the length of the envelope's JSON.
func (e *Envelope) sizeHint() int {
	n := 200 + len(e.ID) + len(e.Signal) + len(e.Model) + len(e.Table) + len(e.Using) + len(e.PK) +
		len(e.Instance) + len(e.PKSet) + len(e.Tx) + len(e.CorrelationID) + len(e.Action) + len(e.Field) + len(e.Related)
	for _, f := range e.UpdateFields {
		n += len(f) + 3
	}
	for k, c := range e.Changed {
		n += len(k) + len(c.Old) + len(c.New) + 8
	}
	return n
}

func appendField(b []byte, name, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

// appendOmitted appends the field unless v is empty (omitempty).
func appendOmitted(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendField(b, name, v)
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendChanges writes the changes sorted by field, as encoding/json
// writes a map, each as [old, new] with an empty side written null.
func appendChanges(b []byte, changed map[string]Change) ([]byte, error) {
	keys := make([]string, 0, len(changed))
	for k := range changed {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, k), ':', '[')
		c := changed[k]
		for j, side := range [2]json.RawMessage{c.Old, c.New} {
			if j > 0 {
				b = append(b, ',')
			}
			if len(side) == 0 {
				b = append(b, "null"...)
			} else if b, err = appendRaw(b, "change of "+strconv.Quote(k), side); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// appendRaw appends the raw JSON value raw, checking that it is one valid
// value and compacting it if it holds blanks.
func appendRaw(b []byte, what string, raw []byte) ([]byte, error) {
	s := scanner{b: raw}
	if _, _, err := s.value(); err != nil {
		return nil, rawError(what, err)
	}
	if s.blank(); s.i != len(raw) {
		return nil, rawError(what, s.syntax("after top-level value"))
	}
	if s.ws == 0 {
		return append(b, raw...), nil
	}
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, raw); err != nil {
		return nil, rawError(what, err)
	}
	return buf.Bytes(), nil
}

type rawErr struct {
	what string
	err  error
}

func (e *rawErr) Error() string { return e.what + " is not JSON: " + e.err.Error() }

func rawError(what string, err error) error { return &rawErr{what, err} }

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, as encoding/json
// does; unlike it, <, > and & are written as they are.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
