// Command outbox inspects and operates the embedded outbox of signalsgorm's
// durable receivers in a database, given its DSN:
//
//	outbox -dsn DSN [-dialect sqlite|postgres|mysql] COMMAND [ARGS]
//
// The commands:
//
//	stats                     each receiver's backlog, lag, attempts and last error
//	dead [-receiver R] [-n N] the dead letters, oldest first, with their error and payload
//	                          (its metadata and field names: values are not shown)
//	replay ID...              makes dead letters pending again (their IDs from dead)
//	purge [-age D]            deletes the rows delivered more than D ago (default 24h)
//	migrate                   applies the versioned SQL of the outbox's tables
//	migrations DIR            writes the dialect's SQL files to DIR, for goose,
//	                          golang-migrate or atlas
//
// The dialect is guessed from the DSN when -dialect is not given: a URL
// postgres://… or key=value pairs with host= are PostgreSQL, user@tcp(…)/db
// is MySQL/MariaDB, anything else a SQLite file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	_ "modernc.org/sqlite" // pure-Go SQLite, driver name "sqlite"

	"github.com/gosignals/signals/signalsdebug"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: outbox -dsn DSN [-dialect sqlite|postgres|mysql] COMMAND [ARGS]

commands:
  stats                     each receiver's backlog, lag, attempts and last error
  dead [-receiver R] [-n N] the dead letters, oldest first (payload values are not shown)
  replay ID...              make dead letters pending again
  purge [-age D]            delete the rows delivered more than D ago (default 24h)
  migrate                   apply the versioned SQL of the outbox's tables
  migrations DIR            write the dialect's SQL files to DIR (goose, golang-migrate, atlas)
`

// run runs the command line args and returns the exit status: 0, 1 when
// the command failed, 2 for a bad command line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("outbox", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { fmt.Fprint(stderr, usage) }
	dsn := fl.String("dsn", os.Getenv("OUTBOX_DSN"), "the database's DSN (default $OUTBOX_DSN)")
	dialect := fl.String("dialect", "", "sqlite, postgres or mysql (default: guessed from the DSN)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return 2
	}
	cmd, rest := fl.Arg(0), fl.Args()[1:]
	if *dialect == "" {
		*dialect = guessDialect(*dsn)
	}
	if cmd == "migrations" {
		return report(stderr, writeMigrations(*dialect, rest, stdout))
	}
	if *dsn == "" {
		fmt.Fprintln(stderr, "outbox: no -dsn given (nor $OUTBOX_DSN)")
		return 2
	}
	ob, db, err := open(*dialect, *dsn)
	if err != nil {
		return report(stderr, err)
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	switch cmd {
	case "stats":
		err = stats(ctx, ob, stdout)
	case "dead":
		err = dead(ctx, ob, rest, stdout, stderr)
	case "replay":
		err = replay(ctx, ob, rest, stdout)
	case "purge":
		err = purge(ctx, ob, rest, stdout, stderr)
	case "migrate":
		if err = ob.Migrate(ctx); err == nil {
			fmt.Fprintf(stdout, "the outbox's tables are at version %d\n", outboxgorm.SchemaVersion)
		}
	default:
		fmt.Fprintf(stderr, "outbox: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	return report(stderr, err)
}

func report(stderr io.Writer, err error) int {
	var bad badArgs
	switch {
	case err == nil:
		return 0
	case errors.As(err, &bad):
		fmt.Fprintf(stderr, "outbox: %v\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "outbox: %v\n", err)
	return 1
}

// badArgs is a command line error.
type badArgs struct{ msg string }

func (e badArgs) Error() string { return e.msg }

func guessDialect(dsn string) string {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"), strings.Contains(dsn, "host="):
		return "postgres"
	case strings.Contains(dsn, "@tcp("), strings.Contains(dsn, "@unix("):
		return "mysql"
	}
	return "sqlite"
}

// open opens the database and its outbox (with the signalsgorm plugin,
// which the outbox needs).
func open(dialect, dsn string) (*outboxgorm.Outbox, *gorm.DB, error) {
	var d gorm.Dialector
	switch dialect {
	case "sqlite":
		d = sqlite.Dialector{DriverName: "sqlite", DSN: dsn}
	case "postgres":
		d = postgres.Open(dsn)
	case "mysql", "mariadb":
		d = mysql.Open(dsn)
	default:
		return nil, nil, badArgs{fmt.Sprintf("unknown dialect %q (use sqlite, postgres or mysql)", dialect)}
	}
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, nil, err
	}
	if err := db.Use(signalsgorm.New()); err != nil {
		return nil, nil, err
	}
	ob, err := outboxgorm.New(db, outboxgorm.Config{Logger: slog.New(slog.DiscardHandler)})
	return ob, db, err
}

func stats(ctx context.Context, ob *outboxgorm.Outbox, out io.Writer) error {
	st, err := ob.Stats(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RECEIVER\tPENDING\tLAG\tATTEMPTS\tDEAD\tDELIVERED\tLAST ERROR")
	for _, s := range st {
		lag := "-"
		if s.Pending > 0 {
			lag = s.Lag.Round(time.Millisecond).String()
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%d\t%d\t%d\t%s\n", s.Receiver, s.Pending, lag, s.Attempts, s.Dead, s.Delivered, oneLine(s.LastError))
	}
	return w.Flush()
}

func dead(ctx context.Context, ob *outboxgorm.Outbox, args []string, out, stderr io.Writer) error {
	fl := flag.NewFlagSet("dead", flag.ContinueOnError)
	fl.SetOutput(stderr)
	receiver := fl.String("receiver", "", "only this receiver's")
	n := fl.Int("n", 100, "at most this many")
	if err := fl.Parse(args); err != nil {
		return badArgs{"dead: " + err.Error()}
	}
	letters, err := ob.DeadLetters(ctx, *receiver, *n)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tRECEIVER\tEVENT\tATTEMPTS\tFAILED AT\tERROR\tPAYLOAD")
	for _, d := range letters {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", d.ID, d.Receiver, d.EventID, d.Attempts,
			d.FailedAt.Format(time.RFC3339), oneLine(d.Error), signalsdebug.Preview(d.Payload, false))
	}
	return w.Flush()
}

func replay(ctx context.Context, ob *outboxgorm.Outbox, ids []string, out io.Writer) error {
	if len(ids) == 0 {
		return badArgs{"replay: give the IDs of the dead letters to replay (outbox dead lists them)"}
	}
	n, err := ob.Replay(ctx, ids...)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "replayed %d of %d dead letters: they are pending again\n", n, len(ids))
	return nil
}

func purge(ctx context.Context, ob *outboxgorm.Outbox, args []string, out, stderr io.Writer) error {
	fl := flag.NewFlagSet("purge", flag.ContinueOnError)
	fl.SetOutput(stderr)
	age := fl.Duration("age", 24*time.Hour, "delete the rows delivered more than this long ago")
	if err := fl.Parse(args); err != nil {
		return badArgs{"purge: " + err.Error()}
	}
	n, err := ob.Purge(ctx, *age)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "purged %d delivered rows older than %v\n", n, *age)
	return nil
}

func writeMigrations(dialect string, args []string, out io.Writer) error {
	if len(args) != 1 {
		return badArgs{"migrations: give the directory to write the SQL files to"}
	}
	files, err := outboxgorm.Migrations(dialect)
	if err != nil {
		return badArgs{err.Error()}
	}
	if err := os.MkdirAll(args[0], 0o755); err != nil {
		return err
	}
	return fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, filepath.Join(args[0], name))
		return os.WriteFile(filepath.Join(args[0], name), b, 0o644)
	})
}

// oneLine keeps the first line of s.
func oneLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
