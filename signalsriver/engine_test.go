package signalsriver_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/rivercontrib/otelriver"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsriver"
	"github.com/gosignals/signals/signalsriver/internal/rtest"
)

func TestKindAndQueue(t *testing.T) {
	long := strings.Repeat("abcdefghij.", 8)
	tests := []struct{ name, kind, queue string }{
		{"mail.welcome", "signals.mail.welcome", "signals_mail_welcome"},
		{"Shop.Loyalty-Points_2", "signals.Shop.Loyalty-Points_2", "signals_shop_loyalty_points_2"},
		{"a..b", "signals.a..b", "signals_a_b"},
		{long, "signals." + long, "signals_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abc_f2ce96ad"},
	}
	for _, tt := range tests {
		if got := signalsriver.Kind(tt.name); got != tt.kind {
			t.Errorf("Kind(%q) = %q, want %q", tt.name, got, tt.kind)
		}
		got := signalsriver.Queue(tt.name)
		if len(got) > 64 {
			t.Errorf("Queue(%q) = %q: %d characters, River takes 64", tt.name, got, len(got))
		}
		if got != tt.queue {
			t.Errorf("Queue(%q) = %q, want %q", tt.name, got, tt.queue)
		}
	}
	if signalsriver.Queue(long) == signalsriver.Queue(long+"x") {
		t.Error("two long names share a queue: the hash of the whole name must tell them apart")
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []signalsriver.Config{
		{Dialect: "mysql"},
		{Backoff: time.Second, MaxBackoff: time.Millisecond},
		{OpenTelemetry: &otelriver.MiddlewareConfig{DurationUnit: "h"}},
	} {
		if _, err := signalsriver.New(cfg); !errors.Is(err, signalsriver.ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
}

// NewWorker refuses receivers it cannot work, naming them: one not
// registered, two whose names map to one River queue, one too long for a
// River job kind.
func TestNewWorkerRefusesReceivers(t *testing.T) {
	reg := &outbox.Registry{}
	noop := func(context.Context, *outbox.Delivery) error { return nil }
	for _, name := range []string{"a.b", "a_b", strings.Repeat("x", 120)} {
		if _, err := reg.Register(outbox.Receiver{Name: name, Signal: "post_save", Model: "m.M", Handler: noop}); err != nil {
			t.Fatal(err)
		}
	}
	eng, err := signalsriver.New(signalsriver.Config{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := rtest.OpenDSN(signalsriver.SQLite, rtest.SQLiteDSN(t.TempDir()+"/w.db"), eng)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		names []string
		want  string
	}{
		{[]string{"nope"}, `"nope"`},
		{[]string{"a.b", "a_b"}, `"a.b" and "a_b" both map to River queue "signals_a_b"`},
		{[]string{strings.Repeat("x", 120)}, "too long for a River job kind (119 characters at most)"},
	} {
		eng, _ := signalsriver.New(signalsriver.Config{Registry: reg, Receivers: tt.names})
		_, err := eng.NewWorker(db)
		if !errors.Is(err, signalsriver.ErrReceiver) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewWorker(%q) = %v, want ErrReceiver saying %s", tt.names, err, tt.want)
		}
	}
}

// Append refuses a transaction that is not a *sql.Tx under GORM's
// wrappers, and a message meant for one store record per event.
func TestAppendRefusesWhatRiverCannotInsert(t *testing.T) {
	eng, _ := signalsriver.New(signalsriver.Config{Dialect: signalsriver.SQLite})
	env := &outbox.Envelope{ID: outbox.NewID()}
	err := eng.Append(context.Background(), fakeExecer{}, &outbox.Message{Receiver: "r", Envelope: env})
	if !errors.Is(err, signalsriver.ErrNoSQLTx) || !strings.Contains(err.Error(), "signalsriver_test.fakeExecer") {
		t.Errorf("Append(fakeExecer) = %v, want ErrNoSQLTx naming the type", err)
	}
	err = eng.Append(context.Background(), fakeExecer{}, &outbox.Message{Envelope: env})
	if err == nil || !strings.Contains(err.Error(), "has no receiver") {
		t.Errorf("Append without a receiver = %v", err)
	}
	if !eng.PerReceiver() {
		t.Error("PerReceiver = false")
	}
}

type fakeExecer struct{ outbox.Execer }

// GORM's prepared statements wrap the transaction once more; the job is
// still inserted in it, and a write with SkipDefaultTransaction still
// runs in one (the plugin opens it), so that its rollback leaves no job.
func TestPreparedStatementsAndSkipDefaultTransaction(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		name := rtest.Unique("river.prepared.")
		var got atomic.Int64
		h := signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[rtest.Account]) error {
			got.Add(1)
			return nil
		})
		t.Cleanup(func() { h.Disconnect() })
		eng, db := setup(t, dialect, signalsriver.Config{Receivers: []string{name}})
		for _, s := range []*gorm.Session{{PrepareStmt: true}, {SkipDefaultTransaction: true}, {PrepareStmt: true, SkipDefaultTransaction: true}} {
			s.Logger = logger.Discard
			if err := db.Session(s).Create(&rtest.Account{Email: "p@x"}).Error; err != nil {
				t.Fatalf("%+v: %v", s, err)
			}
		}
		err := db.Session(&gorm.Session{PrepareStmt: true}).Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&rtest.Account{Email: "rolled-back@x"}).Error; err != nil {
				return err
			}
			return errors.New("boom")
		})
		if err == nil {
			t.Fatal("the transaction did not fail")
		}
		startWorker(t, eng, db)
		rtest.WaitProgress(t, 30*time.Second, "3 deliveries", got.Load, 3)
		if n := rtest.Count(t, db, "SELECT COUNT(*) FROM river_job WHERE kind = ?", signalsriver.Kind(name)); n != 3 {
			t.Fatalf("%d jobs, want 3", n)
		}
	})
}

// With Config.OpenTelemetry, River's middleware records a span for the
// insertion in the save's transaction and one for the work.
func TestOpenTelemetry(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	name := rtest.Unique("river.otel.")
	var got atomic.Int64
	h := signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[rtest.Account]) error {
		got.Add(1)
		return nil
	})
	t.Cleanup(func() { h.Disconnect() })
	eng, db := setup(t, signalsriver.SQLite, signalsriver.Config{Receivers: []string{name},
		OpenTelemetry: &otelriver.MiddlewareConfig{TracerProvider: tp, EnableWorkSpanJobKindSuffix: true}})
	if err := db.Create(&rtest.Account{Email: "o@x"}).Error; err != nil {
		t.Fatal(err)
	}
	startWorker(t, eng, db)
	rtest.WaitProgress(t, 30*time.Second, "the delivery", got.Load, 1)
	spans := func() int64 { return int64(len(rec.Ended())) }
	rtest.WaitProgress(t, 30*time.Second, "the work span", spans, 2)
	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
	}
	want := []string{"river.insert_many", "river.work/" + signalsriver.Kind(name)}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("spans %q, want %q", names, want)
	}
}

// Migrate brings River's tables to the latest migration of the River
// module linked in, as `river migrate-up` does, and may run again.
func TestMigrateIsIdempotent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		eng, db := setup(t, dialect, signalsriver.Config{})
		if err := eng.Migrate(context.Background(), db); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		sqlDB, _ := db.DB()
		var d riverdriver.Driver[*sql.Tx] = riversqlite.New(sqlDB)
		if dialect == signalsriver.Postgres {
			d = riverdatabasesql.New(sqlDB)
		}
		m, err := rivermigrate.New(d, nil)
		if err != nil {
			t.Fatal(err)
		}
		all := m.AllVersions()
		latest := all[len(all)-1].Version
		if got := rtest.Count(t, db, "SELECT MAX(version) FROM river_migration"); got != int64(latest) {
			t.Fatalf("river_migration at version %d, want %d", got, latest)
		}
		if n := rtest.Count(t, db, "SELECT COUNT(*) FROM signals_processed"); n != 0 {
			t.Fatalf("signals_processed has %d rows", n)
		}
	})
}
