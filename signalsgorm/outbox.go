package signalsgorm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
)

// OutboxConfig configures an embedded [Outbox]. The zero value means the
// defaults given for each field.
type OutboxConfig struct {
	// Registry holds the receivers to deliver to; default
	// outbox.DefaultRegistry.
	Registry *outbox.Registry
	// Receivers restricts the workers to these receiver names; default:
	// every receiver of the registry when Run starts.
	Receivers []string
	// MaxAttempts is the number of deliveries tried before an event goes to
	// the dead letters; default 5.
	MaxAttempts int
	// Backoff is the wait after the first failed attempt, doubled after
	// each further one up to MaxBackoff; defaults 100ms and 10s.
	Backoff, MaxBackoff time.Duration
	// Batch is the number of rows a worker reads at a time; default 256.
	Batch int
	// PollInterval is how often an idle worker looks for new rows written
	// by other processes (commits in this process wake it at once);
	// default 1s.
	PollInterval time.Duration
	// LeaseTTL is how long a worker's claim on a receiver lasts without
	// renewal: one worker per receiver delivers, in order, across
	// processes; another takes over this long after it died. Default 15s.
	LeaseTTL time.Duration
	// Retention is how long delivered rows are kept; Run purges older ones
	// every minute. Default 24h; a negative value keeps them.
	Retention time.Duration
	// Logger receives delivery failures; default slog.Default().
	Logger *slog.Logger
}

// Outbox is the embedded outbox of a database: the table durable receivers'
// events are written to (unless the plugin has another [WithOutbox] store),
// and the in-process workers that deliver them. Create it with
// [NewOutbox], create its tables with [Outbox.Migrate], and run
// [Outbox.Run] for as long as events should be delivered.
type Outbox struct {
	db      *gorm.DB
	dialect string
	cfg     OutboxConfig
	owner   string
	wake    chan struct{}

	mu      sync.Mutex
	running bool
}

// NewOutbox returns the embedded outbox of db, which must have the plugin
// installed.
func NewOutbox(db *gorm.DB, cfg OutboxConfig) (*Outbox, error) {
	p := From(db)
	if p == nil {
		return nil, errNotInstalled
	}
	if cfg.Registry == nil {
		cfg.Registry = outbox.DefaultRegistry
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 10 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 256
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 15 * time.Second
	}
	if cfg.Retention == 0 {
		cfg.Retention = 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	o := &Outbox{db: p.db.Session(&gorm.Session{NewDB: true}), dialect: p.db.Dialector.Name(), cfg: cfg,
		owner: outbox.NewID(), wake: make(chan struct{}, 1)}
	p.addWaker(o.wake)
	return o, nil
}

// Migrate creates the embedded outbox's tables if they do not exist:
// signals_outbox, signals_processed (for [Once]) and signals_outbox_leases.
func (o *Outbox) Migrate(ctx context.Context) error {
	for _, q := range outboxDDL(o.dialect) {
		if err := o.db.WithContext(ctx).Exec(q).Error; err != nil {
			return fmt.Errorf("signalsgorm: creating the outbox tables: %w", err)
		}
	}
	return nil
}

// Run delivers events until ctx is cancelled, with one worker per
// receiver, and purges delivered rows past the retention. It returns nil
// when ctx is cancelled, and an error if it is already running.
func (o *Outbox) Run(ctx context.Context) error {
	o.mu.Lock()
	if o.running {
		o.mu.Unlock()
		return errors.New("signalsgorm: Outbox.Run: already running")
	}
	o.running = true
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		o.running = false
		o.mu.Unlock()
	}()
	names := o.receivers()
	wakes := make([]chan struct{}, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wakes[i] = make(chan struct{}, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			o.work(ctx, name, wakes[i])
		}()
	}
	purge := time.NewTicker(time.Minute)
	defer purge.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			o.releaseAll(names)
			return nil
		case <-o.wake:
			for _, w := range wakes {
				select {
				case w <- struct{}{}:
				default:
				}
			}
		case <-purge.C:
			if o.cfg.Retention > 0 {
				if _, err := o.Purge(ctx, o.cfg.Retention); err != nil && ctx.Err() == nil {
					o.cfg.Logger.Error("signalsgorm: purging the outbox", "error", err)
				}
			}
		}
	}
}

// RunOnce delivers every event pending now, for each receiver in turn,
// and returns how many deliveries succeeded. Failing events are retried
// with backoff until they succeed or go to the dead letters. It is meant
// for tests and for programs that deliver from a cron job.
func (o *Outbox) RunOnce(ctx context.Context) (int, error) {
	total := 0
	for _, name := range o.receivers() {
		for {
			held, err := o.lease(ctx, name)
			if err != nil {
				return total, err
			}
			if !held {
				break
			}
			n, more, err := o.batch(ctx, name)
			total += n
			if err != nil {
				return total, err
			}
			if !more {
				break
			}
		}
		o.release(ctx, name)
	}
	return total, nil
}

func (o *Outbox) receivers() []string {
	if len(o.cfg.Receivers) > 0 {
		return o.cfg.Receivers
	}
	var names []string
	for _, r := range o.cfg.Registry.Receivers() {
		names = append(names, r.Name)
	}
	return names
}

// work is the loop of one receiver's worker.
func (o *Outbox) work(ctx context.Context, name string, wake <-chan struct{}) {
	idle := time.NewTimer(0)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-idle.C:
		}
		for ctx.Err() == nil {
			held, err := o.lease(ctx, name)
			if err != nil || !held {
				if err != nil && ctx.Err() == nil {
					o.cfg.Logger.Error("signalsgorm: outbox lease", "receiver", name, "error", err)
				}
				break
			}
			_, more, err := o.batch(ctx, name)
			if err != nil && ctx.Err() == nil {
				o.cfg.Logger.Error("signalsgorm: outbox worker", "receiver", name, "error", err)
				break
			}
			if !more {
				break
			}
		}
		idle.Reset(o.cfg.PollInterval)
	}
}
