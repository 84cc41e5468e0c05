package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/signalsnats"
)

// requireService skips the test when addr does not answer, or fails it
// under CI=true.
func requireService(t *testing.T, name, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		c.Close()
		return
	}
	msg := fmt.Sprintf("%s is not reachable at %s (%v)", name, addr, err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " [CI=true]")
	}
	t.Skip(msg)
}

// worker: the durable welcome e-mail in broker mode, against the local
// PostgreSQL and NATS, in a schema and a stream of this test's own.
func TestWorker(t *testing.T) {
	requireService(t, "PostgreSQL", "127.0.0.1:5432")
	requireService(t, "NATS", "127.0.0.1:4222")
	base := envOr("SIGNALS_POSTGRES_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable")
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())
	schema := "bookstore_" + suffix
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if db, err := admin.DB(); err == nil {
			db.Close()
		}
	})
	stream := "BOOKSTORE_" + suffix
	t.Cleanup(func() {
		_ = signalsnats.DeleteStream(signalsnats.Config{URL: envOr("SIGNALS_NATS_URL", "nats://127.0.0.1:4222"), Stream: stream})
	})
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	var out bytes.Buffer
	err = RunWorker(ctx, WorkerConfig{
		Postgres: base + " search_path=" + schema, NATS: envOr("SIGNALS_NATS_URL", "nats://127.0.0.1:4222"),
		Stream: stream, TopicPrefix: "t" + suffix + ".", Demo: true,
	}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "e-mail to octavia+") || !strings.Contains(out.String(), "Welcome to the bookstore, Octavia Butler") {
		t.Fatalf("output:\n%s", out.String())
	}
}
