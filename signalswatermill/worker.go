package signalswatermill

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/gosignals/signals/outbox"
)

const metaAttempt = "signals_attempt"

// WorkerConfig configures a [Worker].
type WorkerConfig struct {
	// Registry holds the receivers; default outbox.DefaultRegistry.
	Registry *outbox.Registry
	// Receivers restricts the worker to these names; default every
	// receiver of the registry.
	Receivers []string
	// TopicPrefix must be the SQLOutbox's.
	TopicPrefix string
	// Subscriber returns the subscriber of one receiver: a durable
	// subscription of its own (signalsnats.Subscriber, signalsamqp...).
	Subscriber func(r outbox.Receiver) (message.Subscriber, error)
	// DeadLetters receives the events that failed MaxAttempts times (or
	// failed permanently); required.
	DeadLetters message.Publisher
	// MaxAttempts is the number of deliveries tried in-process before the
	// dead letters; default 5. Backoff starts at Backoff (default 100ms)
	// and doubles up to MaxBackoff (default 5s). Keep the total under the
	// broker's redelivery timeout (JetStream's AckWait).
	MaxAttempts         int
	Backoff, MaxBackoff time.Duration
	// Logger receives Watermill's logs and delivery failures; default
	// slog.Default().
	Logger *slog.Logger
}

// Worker delivers the events of durable receivers from a broker: a
// Watermill router with one handler per receiver. Run it with Run(ctx);
// Close stops it and is safe to call twice.
type Worker struct {
	router *message.Router
	cfg    WorkerConfig
}

// NewWorker builds the router and subscribes each receiver.
func NewWorker(cfg WorkerConfig) (*Worker, error) {
	if cfg.Registry == nil {
		cfg.Registry = outbox.DefaultRegistry
	}
	if cfg.Subscriber == nil || cfg.DeadLetters == nil {
		return nil, errors.New("signalswatermill: NewWorker: Subscriber and DeadLetters are required")
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	logger := watermill.NewSlogLogger(cfg.Logger)
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, logger)
	if err != nil {
		return nil, fmt.Errorf("signalswatermill: %w", err)
	}
	// The poison queue must be outside Retry: inside, it would take the
	// first failure (watermill#645).
	poison, err := middleware.PoisonQueue(cfg.DeadLetters, "signals_dead_letters")
	if err != nil {
		return nil, fmt.Errorf("signalswatermill: %w", err)
	}
	router.AddMiddleware(poison, middleware.Retry{
		MaxRetries:      cfg.MaxAttempts - 1,
		InitialInterval: cfg.Backoff,
		MaxInterval:     cfg.MaxBackoff,
		Multiplier:      2,
		ShouldRetry:     func(p middleware.RetryParams) bool { return !outbox.IsPermanent(p.Err) },
		Logger:          logger,
	}.Middleware, middleware.Recoverer)
	w := &Worker{router: router, cfg: cfg}
	names := cfg.Receivers
	if len(names) == 0 {
		for _, r := range cfg.Registry.Receivers() {
			names = append(names, r.Name)
		}
	}
	for _, name := range names {
		r, ok := cfg.Registry.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("signalswatermill: NewWorker: %w: %q", outbox.ErrUnknownReceiver, name)
		}
		sub, err := cfg.Subscriber(r)
		if err != nil {
			return nil, fmt.Errorf("signalswatermill: subscribing %s: %w", name, err)
		}
		router.AddConsumerHandler(name, cfg.TopicPrefix+r.Topic(), sub, w.handler(name))
	}
	return w, nil
}

// handler returns the router handler of receiver name.
func (w *Worker) handler(name string) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		if to := msg.Metadata.Get(MetaReplayTo); to != "" && to != name {
			return nil // a dead letter replayed for another receiver
		}
		attempt, _ := strconv.Atoi(msg.Metadata.Get(metaAttempt))
		attempt++
		msg.Metadata.Set(metaAttempt, strconv.Itoa(attempt))
		env, err := outbox.Decode(msg.Payload)
		if err != nil {
			return err // permanent: straight to the dead letters
		}
		err = w.cfg.Registry.Deliver(msg.Context(), &outbox.Delivery{Envelope: env, Receiver: name, Attempt: attempt})
		if err != nil {
			w.cfg.Logger.Warn("signalswatermill: durable receiver failed", "receiver", name, "event", env.ID,
				"attempt", attempt, "error", err)
		}
		return err
	}
}

// Run runs the router until ctx is cancelled or Close is called.
func (w *Worker) Run(ctx context.Context) error { return w.router.Run(ctx) }

// Running is closed when every handler is subscribed.
func (w *Worker) Running() chan struct{} { return w.router.Running() }

// Close stops the worker; it is safe to call twice.
func (w *Worker) Close() error { return w.router.Close() }
