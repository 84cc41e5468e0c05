package signalsriver

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
)

// Dialects: the names of GORM's dialectors for the databases River runs on.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// Config configures an [Engine]. The zero value means the defaults given
// for each field.
type Config struct {
	// Registry holds the durable receivers; default outbox.DefaultRegistry.
	Registry *outbox.Registry
	// Receivers restricts a [Worker] to these receiver names; default:
	// every receiver of the registry when [Engine.NewWorker] is called.
	Receivers []string
	// Dialect is Postgres or SQLite; default: the dialect of the
	// *gorm.DB whose statement wrote the event.
	Dialect string
	// MaxAttempts is the number of attempts before River discards a job
	// (written into each job); default 5.
	MaxAttempts int
	// Backoff is the wait after the first failed attempt, doubled after
	// each further one up to MaxBackoff; defaults 100ms and 10s, as the
	// embedded outbox.
	Backoff, MaxBackoff time.Duration
	// Timeout is each attempt's time limit: when it passes, the handler's
	// context is cancelled. 0 means the River client's JobTimeout
	// (default 1 minute), -1 no limit.
	Timeout time.Duration
	// MaxWorkers is the number of jobs of one receiver worked at once, in
	// its queue; default 100.
	MaxWorkers int
	// OpenTelemetry, when not nil, adds River's OpenTelemetry middleware
	// (otelriver) to the insertion and to the work of the jobs: spans
	// river.insert_many and river.work, and River's metrics.
	OpenTelemetry *otelriver.MiddlewareConfig
	// River is the base configuration of the worker's River client
	// (Logger, JobTimeout, FetchCooldown, RescueStuckJobsAfter, the Workers
	// and Queues of your own jobs...). NewWorker copies it and adds a queue
	// per receiver to the copy's Queues, and a worker per receiver to its
	// Workers (your bundle, if you give one). Nil means River's defaults.
	River *river.Config
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
	if c.MaxWorkers <= 0 {
		c.MaxWorkers = 100
	}
	return c
}

// Engine runs durable receivers as River jobs. It is the outbox.Store to
// give the GORM plugin (signalsgorm.WithOutbox): each event of a durable
// receiver becomes a River job, inserted in the transaction of the model
// change. [Engine.Migrate] creates River's tables, [Engine.NewWorker]
// returns the River client that works the jobs.
type Engine struct {
	cfg        Config
	middleware []rivertype.Middleware

	mu        sync.Mutex // serialises the creation of inserters
	inserters sync.Map   // dialect → *river.Client[*sql.Tx], insert-only
}

// New returns an engine. It returns an error wrapping [ErrInvalidConfig]
// for a configuration it cannot use.
func New(cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	switch cfg.Dialect {
	case "", Postgres, SQLite:
	default:
		return nil, fmt.Errorf("%w: Dialect %q (use signalsriver.Postgres or signalsriver.SQLite, or leave it empty)", ErrInvalidConfig, cfg.Dialect)
	}
	if cfg.MaxBackoff < cfg.Backoff {
		return nil, fmt.Errorf("%w: MaxBackoff %v is shorter than Backoff %v", ErrInvalidConfig, cfg.MaxBackoff, cfg.Backoff)
	}
	e := &Engine{cfg: cfg}
	if o := cfg.OpenTelemetry; o != nil {
		if o.DurationUnit != "" && o.DurationUnit != "ms" && o.DurationUnit != "s" {
			return nil, fmt.Errorf("%w: OpenTelemetry.DurationUnit %q (use \"ms\" or \"s\")", ErrInvalidConfig, o.DurationUnit)
		}
		e.middleware = []rivertype.Middleware{otelriver.NewMiddleware(o)}
	}
	return e, nil
}

// PerReceiver implements outbox.Store: one job per event and receiver.
func (e *Engine) PerReceiver() bool { return true }

// Append implements outbox.Store: it inserts m's job in the transaction
// tx, whose *sql.Tx it finds under GORM's wrappers. The job's kind is
// [Kind](receiver), its queue [Queue](receiver), its arguments the
// receiver's name and the event's envelope.
func (e *Engine) Append(ctx context.Context, tx outbox.Execer, m *outbox.Message) error {
	return e.AppendBatch(ctx, tx, []*outbox.Message{m})
}

// AppendBatch implements outbox.BatchStore: the plugin hands it the
// records of a transaction just before the commit, and it inserts their
// jobs with one InsertManyTx.
func (e *Engine) AppendBatch(ctx context.Context, tx outbox.Execer, ms []*outbox.Message) error {
	params := make([]river.InsertManyParams, len(ms))
	for i, m := range ms {
		if m.Receiver == "" {
			return fmt.Errorf("signalsriver: event %s has no receiver: the engine wants one record per receiver (PerReceiver)", m.Envelope.ID)
		}
		params[i] = river.InsertManyParams{
			Args:       jobArgs{kind: Kind(m.Receiver), Receiver: m.Receiver, Event: json.RawMessage(m.Payload)},
			InsertOpts: &river.InsertOpts{Queue: Queue(m.Receiver), MaxAttempts: e.cfg.MaxAttempts},
		}
	}
	stx, ok := sqlTx(tx)
	if !ok {
		return fmt.Errorf("%w: got a %T", ErrNoSQLTx, tx)
	}
	c, err := e.inserter(ctx)
	if err != nil {
		return err
	}
	if _, err := c.InsertManyTx(ctx, stx, params); err != nil {
		return fmt.Errorf("signalsriver: inserting %d jobs: %w", len(ms), err)
	}
	return nil
}

// inserter returns the insert-only River client of the dialect of the
// statement that sends the event (ctx).
func (e *Engine) inserter(ctx context.Context) (*river.Client[*sql.Tx], error) {
	dialect := e.cfg.Dialect
	if dialect == "" {
		db := signalsgorm.DB(ctx, nil)
		if db == nil {
			return nil, fmt.Errorf("%w: the context carries no *gorm.DB to tell the dialect from; set Config.Dialect", ErrInvalidConfig)
		}
		dialect = db.Dialector.Name()
	}
	if c, ok := e.inserters.Load(dialect); ok {
		return c.(*river.Client[*sql.Tx]), nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.inserters.Load(dialect); ok {
		return c.(*river.Client[*sql.Tx]), nil
	}
	var (
		c   *river.Client[*sql.Tx]
		err error
	)
	cfg := &river.Config{Middleware: e.middleware, Logger: e.logger()}
	switch dialect {
	case Postgres:
		c, err = river.NewClient(riverdatabasesql.New(nil), cfg)
	case SQLite:
		c, err = river.NewClient(riversqlite.New(nil), cfg)
	default:
		return nil, fmt.Errorf("%w: River runs on PostgreSQL and SQLite, not on %q", ErrDialect, dialect)
	}
	if err != nil {
		return nil, fmt.Errorf("signalsriver: %w", err)
	}
	e.inserters.Store(dialect, c)
	return c, nil
}

func (e *Engine) logger() *slog.Logger {
	if e.cfg.River != nil && e.cfg.River.Logger != nil {
		return e.cfg.River.Logger
	}
	return slog.Default()
}

// jobArgs are the arguments of a durable receiver's job: the receiver's
// name and the event's envelope, as JSON. The kind is not stored in them:
// it is the job row's.
type jobArgs struct {
	kind     string
	Receiver string          `json:"receiver"`
	Event    json.RawMessage `json:"event"`
}

// Kind implements river.JobArgs.
func (a jobArgs) Kind() string { return a.kind }

// KindPrefix starts the job kind of every durable receiver.
const KindPrefix = "signals."

// maxKindLen is the longest kind River's job table accepts.
const maxKindLen = 127

// Kind returns the River job kind of the durable receiver name:
// "signals.<name>".
func Kind(name string) string { return KindPrefix + name }

// maxQueueLen is the longest queue name River accepts.
const maxQueueLen = 64

// Queue returns the River queue of the durable receiver name: "signals_"
// and the name in lower case with every run of other characters than
// letters and digits replaced by '_' (River's queue names allow no dots
// or capitals). A name longer than River's 64 characters is cut and ends
// with a hash of the whole name.
func Queue(name string) string {
	var b strings.Builder
	b.WriteString("signals_")
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			if sep {
				b.WriteByte('_')
			}
			b.WriteByte(c)
			sep = false
		} else {
			sep = true
		}
	}
	q := b.String()
	if len(q) > maxQueueLen {
		h := fnv.New32a()
		_, _ = h.Write([]byte(name))
		q = fmt.Sprintf("%s_%08x", strings.TrimRight(q[:maxQueueLen-9], "_"), h.Sum32())
	}
	return q
}
