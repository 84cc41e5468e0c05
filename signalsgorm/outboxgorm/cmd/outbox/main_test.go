package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gorm.io/driver/sqlite"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

type Parcel struct {
	ID      uint
	Address string
}

// outbox runs the command and returns its exit status and output.
func outboxCmd(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errs strings.Builder
	code := run(context.Background(), args, &out, &errs)
	return code, out.String() + errs.String()
}

// fixture is a SQLite outbox with two dead letters of receiver name, whose
// handler works once fix is called.
func fixture(t *testing.T) (dsn, name string, ob *outboxgorm.Outbox, fix func()) {
	t.Helper()
	db := dbtest.Open(t, "sqlite", dbtest.Use(signalsgorm.New()), dbtest.Migrate(&Parcel{}))
	dsn, name = db.Dialector.(sqlite.Dialector).DSN, "shipping.label"
	fixed := false
	h := signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[Parcel]) error {
		if !fixed {
			return outbox.Permanent(errors.New("no carrier for this address"))
		}
		return nil
	})
	t.Cleanup(func() { h.Disconnect() })
	ob, err := outboxgorm.New(db, outboxgorm.Config{Receivers: []string{name}})
	if err != nil {
		t.Fatal(err)
	}
	if code, out := outboxCmd(t, "-dsn", dsn, "migrate"); code != 0 || !strings.Contains(out, "version 2") {
		t.Fatalf("migrate: %d %s", code, out)
	}
	for _, a := range []string{"1 Main St", "2 High St"} {
		if err := db.Create(&Parcel{Address: a}).Error; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ob.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	return dsn, name, ob, func() { fixed = true }
}

// The command on a SQLite outbox with dead letters: stats, dead (payload
// values not shown), replay, purge.
func TestCommand(t *testing.T) {
	dsn, name, ob, fix := fixture(t)
	code, out := outboxCmd(t, "-dsn", dsn, "stats")
	if code != 0 || !regexp.MustCompile(`shipping\.label\s+0\s+-\s+0\s+2\s+0\s+no carrier for this address`).MatchString(out) {
		t.Fatalf("stats: %d\n%s", code, out)
	}
	code, out = outboxCmd(t, "-dsn", dsn, "dead", "-receiver", name)
	if code != 0 || !strings.Contains(out, `"Address":"[redacted]"`) || strings.Contains(out, "Main St") || strings.Count(out, "\n") != 3 {
		t.Fatalf("dead: %d\n%s", code, out)
	}
	id := regexp.MustCompile(`(?m)^(\d+)\s+shipping\.label`).FindStringSubmatch(out)[1]
	if code, out := outboxCmd(t, "-dsn", dsn, "replay", id); code != 0 || !strings.Contains(out, "replayed 1 of 1") {
		t.Fatalf("replay: %d %s", code, out)
	}
	fix()
	if n, err := ob.RunOnce(t.Context()); n != 1 || err != nil {
		t.Fatalf("after the replay: %d, %v", n, err)
	}
	if code, out := outboxCmd(t, "-dsn", dsn, "purge", "-age", "-1h"); code != 0 || !strings.Contains(out, "purged 1 delivered rows") {
		t.Fatalf("purge: %d %s", code, out)
	}
}

// migrations writes a dialect's SQL files; bad command lines are refused
// with status 2 and a message saying why, failures with status 1.
func TestCommandMigrationsAndRefusals(t *testing.T) {
	dsn, _, _, _ := fixture(t)
	dir := t.TempDir()
	if code, out := outboxCmd(t, "-dialect", "postgres", "migrations", dir); code != 0 || !strings.Contains(out, "0002_status_text.up.sql") {
		t.Fatalf("migrations: %d %s", code, out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "0001_outbox.up.sql")); err != nil || !strings.Contains(string(b), "BIGSERIAL") {
		t.Fatalf("the PostgreSQL files were not written: %v", err)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-dsn", dsn, "frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"-dsn", dsn, "replay"}, 2, "give the IDs"},
		{[]string{"-dsn", dsn, "replay", "x"}, 1, `"x" is not a dead letter ID`},
		{[]string{"stats"}, 2, "no -dsn given"},
		{[]string{"-dsn", dsn, "-dialect", "oracle", "stats"}, 2, `unknown dialect "oracle"`},
		{nil, 2, "usage: outbox"},
	} {
		if code, out := outboxCmd(t, c.args...); code != c.code || !strings.Contains(out, c.msg) {
			t.Errorf("outbox %v: %d %q, want %d saying %q", c.args, code, out, c.code, c.msg)
		}
	}
}

func TestGuessDialect(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://u@h/db":                        "postgres",
		"host=127.0.0.1 user=postgres dbname=test": "postgres",
		"root@tcp(127.0.0.1:3306)/test":            "mysql",
		"file:/var/lib/app.db?_pragma=foo":         "sqlite",
		"app.db":                                   "sqlite",
	} {
		if got := guessDialect(dsn); got != want {
			t.Errorf("guessDialect(%q) = %s, want %s", dsn, got, want)
		}
	}
}
