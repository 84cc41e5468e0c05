package signalsnats_test

import (
	"context"
	"database/sql"
	"log"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
	"github.com/gosignals/signals/signalsnats"
	"github.com/gosignals/signals/signalswatermill"
)

type Order struct {
	ID     uint
	Status string
}

// Broker mode: the application writes its durable receivers' events to a
// PostgreSQL outbox in each save's transaction; a relay forwards them to
// NATS JetStream; workers, in this process or others, consume one durable
// consumer per receiver. (It needs PostgreSQL and NATS, so it is compiled,
// not run.)
func Example() {
	ctx := context.Background()
	ob := &signalswatermill.SQLOutbox{Dialect: signalswatermill.Postgres, Partitions: 4}
	db, _ := gorm.Open(postgres.Open("host=127.0.0.1 user=postgres dbname=app"), &gorm.Config{})
	if err := db.Use(signalsgorm.New(signalsgorm.WithOutbox(ob))); err != nil {
		log.Fatal(err)
	}
	sqlDB, _ := db.DB()
	dead := &signalswatermill.DeadLetterTable{DB: sqlDB, Outbox: ob}
	must(ob.Init(ctx, sqlDB), dead.Init(ctx), outboxgorm.MigrateOnce(ctx, db))

	// Connected the same way in the application and in the workers.
	signalsgorm.DurablePostSave("billing.receipt", func(ctx context.Context, ev outbox.Event[Order]) error {
		if ev.Instance.Status != "paid" {
			return nil
		}
		_, err := outboxgorm.Once(ctx, db, func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO receipts (order_id) VALUES (?)", ev.Instance.ID).Error
		})
		return err
	})

	nats := signalsnats.Config{URL: "nats://127.0.0.1:4222"}
	must(signalsnats.EnsureStream(ctx, nats))
	go relay(ctx, ob, sqlDB, nats)
	w, err := signalswatermill.NewWorker(signalswatermill.WorkerConfig{
		Subscriber: signalsnats.Subscriber(nats), DeadLetters: dead,
	})
	must(err)
	go w.Run(ctx)

	db.Create(&Order{Status: "paid"}) // the receipt is written by a worker, once
}

func relay(ctx context.Context, ob *signalswatermill.SQLOutbox, db *sql.DB, cfg signalsnats.Config) {
	pub, err := signalsnats.Publisher(cfg)
	must(err)
	r, err := ob.Relay(db, pub)
	must(err)
	must(r.Run(ctx))
}

func must(errs ...error) {
	for _, err := range errs {
		if err != nil {
			log.Fatal(err)
		}
	}
}
