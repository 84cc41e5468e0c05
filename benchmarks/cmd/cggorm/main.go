// Command cggorm is a fixed GORM workload whose instructions callgrind
// counts: n calls of Create, Save (an update) or Delete of one row, or the
// deletion of one author with its books and their comments, on in-memory
// SQLite (modernc.org/sqlite, pure Go), in one of four modes:
//
//	plain      GORM alone
//	plugin     the signalsgorm plugin, no receivers
//	receivers  the plugin with a no-op pre and post receiver (save or delete)
//	hooks      GORM alone, the model with no-op hook methods (not for cascade)
//
// Usage:
//
//	cggorm MODE create|save|delete N
//	cggorm MODE cascade BOOKS
//
// The cascade deletes 1 author, BOOKS books and 5 comments per book, along
// constraint:OnDelete:CASCADE: with mode plain, SQLite's ON DELETE CASCADE
// deletes the books and comments (the floor); with the plugin, its deletion
// collector does, sending the per-object signals when receivers are
// connected.
//
// Only the work itself is counted (package
// benchmarks/internal/callgrind switches callgrind's collection on around
// it); opening, migrating, seeding and one warm-up call of each kind are
// set-up. Run it as benchmarks/cmd/instructions does:
//
//	CGO_ENABLED=0 go build -o cggorm ./cmd/cggorm
//	GOGC=off GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind \
//		--collect-atstart=no ./cggorm plugin create 1000
//
// After the work it prints one line, "ops=N rows=R mallocs=M bytes=B": the
// operations, the rows they wrote or deleted, and the heap allocations the
// work made (from runtime.MemStats, as go test -benchmem counts them). It
// exits with status 1 if the receivers or hooks were not called as often
// as the work requires.
//
// The program uses only the public API of the signals modules, so that
// instructions -base can build it, copied with internal/callgrind, against
// an older commit.
package main

import (
	"fmt"
	"os"
	"strconv"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	_ "modernc.org/sqlite"

	"github.com/gosignals/signals/benchmarks/internal/callgrind"
	"github.com/gosignals/signals/signalsgorm"
)

const usage = "usage: cggorm plain|plugin|receivers|hooks create|save|delete N\n" +
	"       cggorm plain|plugin|receivers cascade BOOKS"

func main() {
	if err := execute(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cggorm:", err)
		os.Exit(1)
	}
}

// A result is what the measured functions did.
type result struct {
	ops, rows       int
	allocs          callgrind.Allocs
	calls, expected int // receiver or hook calls
}

func execute(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("%d arguments\n%s", len(args), usage)
	}
	mode, op := args[0], args[1]
	n, err := strconv.Atoi(args[2])
	if err != nil || n < 1 {
		return fmt.Errorf("the count N must be a positive integer, not %q\n%s", args[2], usage)
	}
	switch mode {
	case "plain", "plugin", "receivers", "hooks":
	default:
		return fmt.Errorf("unknown mode %q\n%s", mode, usage)
	}
	var r result
	switch op {
	case "create", "save", "delete":
		r, err = crud(mode, op, n)
	case "cascade":
		if mode == "hooks" {
			return fmt.Errorf("the cascade has no hooks mode: GORM calls no hook for rows the database deletes\n%s", usage)
		}
		r, err = cascade(mode, n)
	default:
		return fmt.Errorf("unknown operation %q\n%s", op, usage)
	}
	if err != nil {
		return err
	}
	fmt.Printf("ops=%d rows=%d mallocs=%d bytes=%d\n", r.ops, r.rows, r.allocs.Mallocs, r.allocs.Bytes)
	if r.calls != r.expected {
		return fmt.Errorf("%s %s: %d receiver or hook calls, want %d", mode, op, r.calls, r.expected)
	}
	return nil
}

// open opens an in-memory SQLite database on one connection, with the
// plugin installed unless plain or hooks.
func open(name, mode string) (*gorm.DB, error) {
	dsn := "file:" + name + "?mode=memory&cache=shared&_pragma=foreign_keys(1)"
	db, err := gorm.Open(sqlite.Dialector{DriverName: "sqlite", DSN: dsn}, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(1)
	if mode == "plugin" || mode == "receivers" {
		if err := db.Use(signalsgorm.New()); err != nil {
			return nil, err
		}
	}
	return db, nil
}
