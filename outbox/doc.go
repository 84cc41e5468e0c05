// Package outbox is the ORM- and transport-neutral core of durable
// receivers: the event envelope, its versioned JSON encoding, event IDs,
// the registry of durable receivers with their typed decoding, and the
// interfaces stores and transports implement. It imports only the standard
// library; the ORM side lives in signalsgorm, the Watermill transports in
// signalswatermill, signalsnats, signalsamqp and signalskafka.
//
// # Durable receivers
//
// A durable receiver is connected with a stable name. When a model change
// sends its signal, the event is not handled in the sender's goroutine:
// an [Envelope] is written to an outbox in the same database transaction
// as the change, so that a rollback leaves nothing and a commit leaves a
// record that survives crashes. After the commit, workers deliver it to
// the receiver's [Handler], at least once, retrying with backoff, and move
// it to the dead letters after a number of attempts.
//
// # Envelopes
//
// An [Envelope] is versioned JSON:
//
//	{"v":1,"id":"0193a5f2-7c1e-7b7a-9d0e-4c1f5e2b9a10","signal":"post_save",
//	 "model":"shop.Order","table":"orders","db":"default","pk":"42",
//	 "created":true,"update_fields":null,"changed":{"Status":["new","paid"]},
//	 "instance":{"ID":42,"Status":"paid"},"tx":"…","seq":1,
//	 "occurred_at":"2026-11-21T22:40:00.123456Z","correlation_id":"…"}
//
// [Encode] writes it and [Decode] reads it back, rejecting malformed
// envelopes ([ErrMalformed]) and other versions ([ErrVersion]) with an
// error that says why. The event ID is a UUIDv7 ([NewID]): 36 characters,
// sortable by time, and the broker's de-duplication ID. [MarshalInstance]
// writes the instance, leaving out fields tagged signals:"-" (secrets),
// and nothing at all for models marked thin (see [TagName]).
//
// # Delivery guarantees
//
// Delivery is at least once: a worker that crashes after the handler ran
// and before it acknowledged delivers the event again, with the same event
// ID. Make handlers idempotent with the key [Delivery.Key] (receiver and
// event ID); signalsgorm's Once records it in the handler's own
// transaction, which makes database effects happen exactly once. The
// post_save and post_delete events of one row (same model and primary
// key) reach each receiver in commit order; the transports say what else
// they order.
//
// The guide docs/durable.md in the repository walks through durable
// receivers end to end: connecting one, running the workers, choosing a
// transport, replaying dead letters; docs/transactions.md tells how they
// relate to after-commit receivers.
package outbox
