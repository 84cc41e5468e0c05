package signalsriver_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/riverqueue/river"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsriver"
)

type User struct {
	ID    uint
	Email string
}

// A durable receiver declared as usual; the engine is River: the save
// inserts a River job in its transaction, and the worker delivers it.
func Example() {
	ctx := context.Background()
	h := signalsgorm.DurablePostSave("accounts.welcome", func(ctx context.Context, ev outbox.Event[User]) error {
		fmt.Printf("welcome %s (attempt %d)\n", ev.Instance.Email, ev.Delivery.Attempt)
		return nil
	})
	defer h.Disconnect()

	eng, err := signalsriver.New(signalsriver.Config{
		River: &river.Config{Logger: slog.New(slog.DiscardHandler)},
	})
	if err != nil {
		panic(err)
	}
	dir, _ := os.MkdirTemp("", "signalsriver")
	defer os.RemoveAll(dir)
	dsn := "file:" + filepath.Join(dir, "app.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate"
	db, _ := gorm.Open(sqlite.Dialector{DriverName: "sqlite", DSN: dsn}, &gorm.Config{Logger: logger.Discard})
	if err := db.Use(signalsgorm.New(signalsgorm.WithOutbox(eng))); err != nil {
		panic(err)
	}
	if err := eng.Migrate(ctx, db); err != nil { // River's tables, as `river migrate-up`
		panic(err)
	}
	_ = db.AutoMigrate(&User{})

	db.Create(&User{Email: "ada@example.com"}) // inserts job signals.accounts.welcome

	w, err := eng.NewWorker(db)
	if err != nil {
		panic(err)
	}
	events, stop := w.Client().Subscribe(river.EventKindJobCompleted)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	ev := <-events
	fmt.Println(ev.Job.Kind, ev.Job.State)
	cancel()
	<-done
	db2, _ := db.DB()
	db2.Close()
	// Output:
	// welcome ada@example.com (attempt 1)
	// signals.accounts.welcome completed
}
