package outbox

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// idGen holds the state that keeps the IDs of one process increasing.
var idGen struct {
	mu      sync.Mutex
	ms      int64  // timestamp of the last ID, in Unix milliseconds
	counter uint16 // 12-bit counter within ms
}

// NewID returns a new UUIDv7 (RFC 9562) in its 36-character text form. Its
// first 48 bits are the Unix time in milliseconds, so IDs sort by creation
// time; within a process they strictly increase: the 12 bits after the
// version count IDs made in the same millisecond (RFC 9562 section 6.2,
// method 1), and the last 62 bits are random.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[6:]) // crypto/rand.Read never fails (Go 1.24+)
	now := time.Now().UnixMilli()
	idGen.mu.Lock()
	if now > idGen.ms {
		idGen.ms = now
		idGen.counter = uint16(b[6])<<4 | uint16(b[7])>>4 // random start, room to count
		idGen.counter &= 0x7ff
	} else {
		idGen.counter++
		if idGen.counter > 0xfff {
			idGen.ms++ // borrow the next millisecond rather than repeat
			idGen.counter = 0
		}
	}
	ms, c := idGen.ms, idGen.counter
	idGen.mu.Unlock()
	b[0], b[1], b[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	b[3], b[4], b[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = 0x70 | byte(c>>8)
	b[7] = byte(c)
	b[8] = 0x80 | b[8]&0x3f
	return format(b)
}

func format(b [16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// ValidID reports whether id is a UUID in its 36-character text form
// (lower- or upper-case hex, hyphens at 8, 13, 18, 23), of any version.
func ValidID(id string) bool {
	if len(id) != MaxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// IDTime returns the time encoded in a UUIDv7, and false for anything else.
func IDTime(id string) (time.Time, bool) {
	if !ValidID(id) || id[14] != '7' {
		return time.Time{}, false
	}
	var b [6]byte
	if _, err := hex.Decode(b[0:4], []byte(id[0:8])); err != nil {
		return time.Time{}, false
	}
	if _, err := hex.Decode(b[4:6], []byte(id[9:13])); err != nil {
		return time.Time{}, false
	}
	ms := int64(b[0])<<40 | int64(b[1])<<32 | int64(b[2])<<24 | int64(b[3])<<16 | int64(b[4])<<8 | int64(b[5])
	return time.UnixMilli(ms).UTC(), true
}
