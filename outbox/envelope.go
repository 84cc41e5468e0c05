package outbox

import (
	"encoding/json"
	"fmt"
	"time"
)

// Version is the envelope version this package writes and the only one
// [Decode] accepts. A change that old decoders cannot read (a field renamed
// or given another meaning) takes a new version; fields may be added within
// a version, and decoders ignore the ones they do not know.
const Version = 1

// MaxIDLen is the longest event ID an envelope may carry: Watermill's SQL
// outbox stores message IDs in a VARCHAR(36), and a UUID is 36 characters.
const MaxIDLen = 36

// Envelope is the versioned JSON form of a model event, as written to an
// outbox and delivered to durable receivers. Its JSON field names are the
// wire format; they never change within a [Version].
type Envelope struct {
	// V is the envelope version; [Encode] sets it to [Version].
	V int `json:"v"`
	// ID identifies the event: a UUIDv7 ([NewID]). Every delivery of the
	// event, to every receiver, carries the same ID; with the receiver's
	// name it is the idempotency key.
	ID string `json:"id"`
	// Signal is the signal's name: post_save, post_delete, m2m_changed.
	Signal string `json:"signal"`
	// Model is the model's label ("shop.Book"), Table its table.
	Model string `json:"model"`
	Table string `json:"table,omitempty"`
	// Using is the connection alias the write went through.
	Using string `json:"db,omitempty"`
	// PK is the primary key as text; for a composite key, a JSON object of
	// the key fields.
	PK string `json:"pk"`
	// Created is set on the post_save of an insert.
	Created bool `json:"created,omitempty"`
	// UpdateFields lists the struct fields the save was restricted to, nil
	// for a full save.
	UpdateFields []string `json:"update_fields"`
	// Changed maps each changed field to its old and new value, when the
	// sender tracks changes.
	Changed map[string]Change `json:"changed,omitempty"`
	// Instance is the model instance as JSON (see [MarshalInstance]): after
	// the write for post_save, as it was for post_delete. It is absent for
	// thin events.
	Instance json.RawMessage `json:"instance,omitempty"`
	// Action, Field, Reverse, Related and PKSet describe an m2m_changed
	// event (Action is post_add, post_remove or post_clear; PKSet is a JSON
	// array of keys).
	Action  string          `json:"action,omitempty"`
	Field   string          `json:"field,omitempty"`
	Reverse bool            `json:"reverse,omitempty"`
	Related string          `json:"related,omitempty"`
	PKSet   json.RawMessage `json:"pk_set,omitempty"`
	// Tx identifies the transaction that wrote the event and Seq orders the
	// events of one transaction (from 1).
	Tx  string `json:"tx,omitempty"`
	Seq uint64 `json:"seq"`
	// OccurredAt is when the event was sent, in UTC.
	OccurredAt time.Time `json:"occurred_at"`
	// CorrelationID ties the event to the request or job that caused it.
	CorrelationID string `json:"correlation_id,omitempty"`
}

// Key returns the ordering key of the event: its model and primary key.
// The post_save and post_delete events of one key are delivered to each
// receiver in commit order.
func (e *Envelope) Key() string { return e.Model + "#" + e.PK }

// Change is the old and the new value of a changed field, as JSON. It is
// written as a two-element array, [old, new].
type Change struct {
	Old json.RawMessage
	New json.RawMessage
}

// MarshalJSON writes [old, new].
func (c Change) MarshalJSON() ([]byte, error) {
	old, nw := c.Old, c.New
	if len(old) == 0 {
		old = json.RawMessage("null")
	}
	if len(nw) == 0 {
		nw = json.RawMessage("null")
	}
	return json.Marshal([2]json.RawMessage{old, nw})
}

// UnmarshalJSON reads [old, new].
func (c *Change) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil {
		return err
	}
	if len(pair) != 2 {
		return fmt.Errorf("a change is [old, new], got %d elements", len(pair))
	}
	c.Old, c.New = pair[0], pair[1]
	return nil
}

// Encode validates e and returns its JSON. It sets e.V to [Version] when it
// is 0; any other version is refused, as is an envelope [Decode] would
// reject. The raw values (Instance, PKSet, a change's sides) must be valid
// JSON; they are written as they are, compacted if they hold blanks.
func Encode(e *Envelope) ([]byte, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: nil envelope", ErrMalformed)
	}
	if e.V == 0 {
		e.V = Version
	}
	if err := e.validateHead(); err != nil {
		return nil, err
	}
	if y := e.OccurredAt.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("%w: occurred_at %v is outside years 0 to 9999", ErrMalformed, e.OccurredAt)
	}
	b, err := e.appendJSON(make([]byte, 0, e.sizeHint()))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return b, nil
}

// validateHead checks what every envelope needs: the version, a UUID, a
// signal, a model and a time.
func (e *Envelope) validateHead() error {
	switch {
	case e.V != Version:
		return fmt.Errorf("%w: version %d (this package writes version %d)", ErrVersion, e.V, Version)
	case !ValidID(e.ID):
		return fmt.Errorf("%w: id %q is not a UUID", ErrMalformed, e.ID)
	case e.Signal == "":
		return fmt.Errorf("%w: no signal", ErrMalformed)
	case e.Model == "":
		return fmt.Errorf("%w: no model", ErrMalformed)
	case e.OccurredAt.IsZero():
		return fmt.Errorf("%w: no occurred_at", ErrMalformed)
	}
	return nil
}
