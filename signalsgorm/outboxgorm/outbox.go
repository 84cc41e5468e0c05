package outboxgorm

import (
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/outboxsql"
)

// The tables of the embedded outbox, made by [Outbox.Migrate] (or by the
// files of [Migrations]).
const (
	// Table, "signals_outbox", holds one row per event and durable
	// receiver.
	Table = outboxsql.Table
	// ProcessedTable, "signals_processed", records the deliveries [Once]
	// applied.
	ProcessedTable = outboxsql.Processed
	// LeaseTable, "signals_outbox_leases", holds each receiver's worker
	// lease.
	LeaseTable = outboxsql.Leases
)

// Config configures an [Outbox]. The zero value means the defaults given
// for each field.
type Config struct {
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
	// processes. The worker renews it every LeaseTTL/3 while it delivers,
	// however long a handler takes; another process takes over this long
	// after the holder died. Expiry is reckoned by the database's clock.
	// Default 15s.
	LeaseTTL time.Duration
	// DeliveryTimeout bounds one delivery: when it passes, the handler's
	// context is cancelled and the attempt counts as failed (it is
	// retried, or dead-lettered after MaxAttempts), unless the handler
	// still returns nil within a second. Default 1 minute.
	DeliveryTimeout time.Duration
	// ShutdownTimeout is how long Run, once its context is done, lets the
	// handlers running finish (their contexts are not cancelled until
	// then). Past it, their contexts are cancelled, their deliveries are
	// abandoned and not acknowledged (they are delivered again later), and
	// Run returns. Default 5s.
	ShutdownTimeout time.Duration
	// Retention is how long delivered rows are kept; Run purges older ones
	// every minute. Default 24h; a negative value keeps them.
	Retention time.Duration
	// Logger receives delivery failures; default slog.Default().
	Logger *slog.Logger
}

// withDefaults returns c with its zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Registry == nil {
		c.Registry = outbox.DefaultRegistry
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.Backoff <= 0 {
		c.Backoff = 100 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 10 * time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 256
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 15 * time.Second
	}
	if c.DeliveryTimeout <= 0 {
		c.DeliveryTimeout = time.Minute
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 5 * time.Second
	}
	if c.Retention == 0 {
		c.Retention = 24 * time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Outbox is the embedded outbox of a database: the table durable
// receivers' events are written to (unless the plugin has another
// signalsgorm.WithOutbox store), and the in-process workers that deliver
// them. Create it with [New], create its tables with [Outbox.Migrate], and
// run [Outbox.Run] for as long as events should be delivered.
type Outbox struct {
	db      *gorm.DB
	plugin  *signalsgorm.Plugin
	dialect string
	now     string // the database's clock, in microseconds (outboxsql.Now)
	cfg     Config
	owner   string
	wake    chan struct{}
	stmts   stmtCache

	mu      sync.Mutex
	running bool
}

// New returns the embedded outbox of db, which must have the signalsgorm
// plugin installed. Pass the database itself: the outbox keeps db's
// connection pool, and New refuses a transaction.
func New(db *gorm.DB, cfg Config) (*Outbox, error) {
	p := signalsgorm.From(db)
	if p == nil {
		return nil, errNotInstalled
	}
	if _, tx := db.Statement.ConnPool.(gorm.TxCommitter); tx {
		return nil, errInTransaction
	}
	dialect := db.Dialector.Name()
	return &Outbox{db: db.Session(&gorm.Session{NewDB: true}), plugin: p, dialect: dialect, now: outboxsql.Now(dialect),
		cfg: cfg.withDefaults(), owner: outbox.NewID(), wake: make(chan struct{}, 1)}, nil
}
