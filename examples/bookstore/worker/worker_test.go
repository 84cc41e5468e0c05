package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
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

// An engine that does not exist is refused before anything is connected.
func TestUnknownEngine(t *testing.T) {
	err := Run(t.Context(), Config{Engine: "carrier-pigeon"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `unknown engine "carrier-pigeon": use one of nats, river`) {
		t.Fatalf("Run with an unknown engine: %v", err)
	}
}

// The nats engine: the durable welcome e-mail through PostgreSQL and NATS
// JetStream, against the local services, in a schema and a stream of this
// test's own.
func TestNATSEngine(t *testing.T) {
	requireService(t, "PostgreSQL", "127.0.0.1:5432")
	requireService(t, "NATS", "127.0.0.1:4222")
	dsn, suffix := pgSchema(t)
	stream := "BOOKSTORE_" + suffix
	t.Cleanup(func() {
		_ = signalsnats.DeleteStream(signalsnats.Config{URL: envOr("SIGNALS_NATS_URL", "nats://127.0.0.1:4222"), Stream: stream})
	})
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	var out bytes.Buffer
	err := Run(ctx, Config{
		Engine: "nats", Postgres: dsn, Demo: true,
		NATS: NATSConfig{URL: envOr("SIGNALS_NATS_URL", "nats://127.0.0.1:4222"), Stream: stream, TopicPrefix: "t" + suffix + "."},
	}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "e-mail to octavia+") || !strings.Contains(out.String(), "Welcome to the bookstore, Octavia Butler") {
		t.Fatalf("output:\n%s", out.String())
	}
}

// pgSchema returns the DSN of a new schema of the local PostgreSQL
// database, dropped after the test, and the suffix of its name.
func pgSchema(t *testing.T) (dsn, suffix string) {
	t.Helper()
	base := envOr("SIGNALS_POSTGRES_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable")
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	suffix = fmt.Sprintf("%d", time.Now().UnixNano())
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
	return base + " search_path=" + schema, suffix
}
