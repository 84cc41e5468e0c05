package outboxgorm

import "errors"

var (
	// ErrNoDelivery reports a call of [Once] outside a durable receiver's
	// handler: the context carries no delivery to take the key from.
	ErrNoDelivery = errors.New("outboxgorm: Once: the context is not a durable receiver's (no outbox delivery in it)")
	// ErrRunning reports a second concurrent call of [Outbox.Run].
	ErrRunning = errors.New("outboxgorm: Outbox.Run: already running")

	errInTransaction = errors.New("outboxgorm: New: db is a transaction; pass the *gorm.DB the plugin is installed on (the outbox keeps its connection pool)")
	errNotInstalled  = errors.New("outboxgorm: New: the signalsgorm plugin is not installed on db; call db.Use(signalsgorm.New()) first")
)
