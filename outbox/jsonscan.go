package outbox

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads JSON from b: the envelope's own decoder and the cutting of
// hidden fields out of an instance. It validates what it skips with the
// grammar of RFC 8259, as encoding/json does (including its tolerance of
// invalid UTF-8 inside strings), so that the raw values it keeps (the
// instance, a change, a key set) are valid JSON.
type scanner struct {
	b  []byte
	i  int
	ws int // blanks skipped: a raw value with none is compact
}

// maxDepth bounds the nesting of a value, as encoding/json does.
const maxDepth = 10000

var errEnd = errors.New("unexpected end of JSON input")

func (s *scanner) syntax(what string) error {
	if s.i >= len(s.b) {
		return errEnd
	}
	return fmt.Errorf("invalid character %q %s (offset %d)", s.b[s.i], what, s.i)
}

// blank skips white space.
func (s *scanner) blank() {
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
			continue
		}
		break
	}
	s.ws += s.i - start
}

// expect skips blanks and the byte c.
func (s *scanner) expect(c byte, what string) error {
	s.blank()
	if s.i >= len(s.b) || s.b[s.i] != c {
		return s.syntax(what)
	}
	s.i++
	return nil
}

// value skips one JSON value, validating it, and returns where it starts
// and ends.
func (s *scanner) value() (start, end int, err error) {
	s.blank()
	start = s.i
	var stack []byte // open containers, '{' or '['
	for {
		opened, err := s.scalarOrOpen(&stack)
		if err != nil {
			return 0, 0, err
		}
		if opened {
			continue // read its first value
		}
		if err := s.closeAll(&stack); err != nil {
			return 0, 0, err
		}
		if len(stack) == 0 {
			return start, s.i, nil
		}
	}
}

// scalarOrOpen reads a scalar or an empty container, or opens a container
// (and reads its first key) and reports that it did.
func (s *scanner) scalarOrOpen(stack *[]byte) (opened bool, err error) {
	s.blank()
	if s.i >= len(s.b) {
		return false, errEnd
	}
	switch c := s.b[s.i]; {
	case c == '{' || c == '[':
		s.i++
		s.blank()
		if s.i < len(s.b) && (c == '{' && s.b[s.i] == '}' || c == '[' && s.b[s.i] == ']') {
			s.i++
			return false, nil
		}
		if len(*stack) >= maxDepth {
			return false, errors.New("exceeded max depth")
		}
		*stack = append(*stack, c)
		if c == '{' {
			return true, s.key()
		}
		return true, nil
	case c == '"':
		_, _, _, err = s.str()
	case c == '-' || '0' <= c && c <= '9':
		err = s.number()
	case c == 't':
		err = s.literal("true")
	case c == 'f':
		err = s.literal("false")
	case c == 'n':
		err = s.literal("null")
	default:
		err = s.syntax("looking for beginning of value")
	}
	return false, err
}

// key reads an object key and its colon.
func (s *scanner) key() error {
	s.blank()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return s.syntax("looking for beginning of object key string")
	}
	if _, _, _, err := s.str(); err != nil {
		return err
	}
	return s.expect(':', "after object key")
}

// closeAll reads the commas and closing brackets after a value: it
// returns with a value to read next, or with the outermost container
// closed (stack empty).
func (s *scanner) closeAll(stack *[]byte) error {
	for len(*stack) > 0 {
		s.blank()
		if s.i >= len(s.b) {
			return errEnd
		}
		top := (*stack)[len(*stack)-1]
		switch c := s.b[s.i]; {
		case c == ',':
			s.i++
			if top == '{' {
				return s.key()
			}
			return nil // an element follows
		case c == '}' && top == '{', c == ']' && top == '[':
			s.i++
			*stack = (*stack)[:len(*stack)-1]
		default:
			if top == '{' {
				return s.syntax("after object key:value pair")
			}
			return s.syntax("after array element")
		}
	}
	return nil
}

func (s *scanner) literal(lit string) error {
	if len(s.b)-s.i < len(lit) {
		s.i = len(s.b)
		return errEnd
	}
	for j := 0; j < len(lit); j++ {
		if s.b[s.i] != lit[j] {
			return s.syntax("in literal " + lit)
		}
		s.i++
	}
	return nil
}

// number reads a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.b[s.i] == '-' {
		s.i++
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if !s.digits() {
		return s.syntax("in numeric literal")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if !s.digits() {
			return s.syntax("after decimal point in numeric literal")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return s.syntax("in exponent of numeric literal")
		}
	}
	return nil
}

func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// str reads a string token at s.i (its opening quote) and returns the
// offsets of its contents and whether they hold escapes.
func (s *scanner) str() (start, end int, escaped bool, err error) {
	s.i++
	start = s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return start, s.i - 1, escaped, nil
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return 0, 0, false, err
			}
		case c < 0x20:
			return 0, 0, false, s.syntax("in string literal")
		default:
			s.i++
		}
	}
	return 0, 0, false, errEnd
}

func (s *scanner) escape() error {
	s.i++
	if s.i >= len(s.b) {
		return errEnd
	}
	switch s.b[s.i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i++
		return nil
	case 'u':
		s.i++
		for k := 0; k < 4; k++ {
			if s.i >= len(s.b) {
				return errEnd
			}
			if !isHex(s.b[s.i]) {
				return s.syntax("in \\u hexadecimal character escape")
			}
			s.i++
		}
		return nil
	}
	return s.syntax("in string escape code")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// text returns the contents of a string token read by str, unescaped, with
// invalid UTF-8 and lone surrogates replaced by U+FFFD, as encoding/json
// does.
func text(raw []byte, escaped bool) string {
	if !escaped && utf8.Valid(raw) {
		return string(raw)
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			var r rune
			r, i = unescape(raw, i)
			out = utf8.AppendRune(out, r)
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			out = utf8.AppendRune(out, r)
			i += size
		}
	}
	return string(out)
}

// unescape decodes the (valid) escape at raw[i] and returns the rune and
// the offset after it, joining a surrogate pair.
func unescape(raw []byte, i int) (rune, int) {
	switch c := raw[i+1]; c {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
	default:
		return rune(c), i + 2
	}
	r := hex4(raw[i+2 : i+6])
	i += 6
	if !utf16.IsSurrogate(r) {
		return r, i
	}
	if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
		if r2 := utf16.DecodeRune(r, hex4(raw[i+2:i+6])); r2 != utf8.RuneError {
			return r2, i + 6
		}
	}
	return utf8.RuneError, i
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
