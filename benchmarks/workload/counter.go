package workload

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
)

// Queries counts the SQL statements that reach SQLite, by kind. It sits in
// the database/sql driver, below GORM and the plugin, so it sees every
// statement whichever layer sends it. Transaction control (BEGIN, COMMIT,
// SAVEPOINT, RELEASE) and PRAGMAs are counted apart from data statements,
// as the Django script does.
type Queries struct {
	sel, ins, upd, del, other atomic.Int64
}

// Data returns the number of SELECT, INSERT, UPDATE and DELETE statements.
func (q *Queries) Data() int64 {
	return q.sel.Load() + q.ins.Load() + q.upd.Load() + q.del.Load()
}

// Kinds returns the counts by statement kind.
func (q *Queries) Kinds() map[string]int64 {
	return map[string]int64{
		"select": q.sel.Load(), "insert": q.ins.Load(), "update": q.upd.Load(),
		"delete": q.del.Load(), "other": q.other.Load(),
	}
}

// Reset sets every count to zero.
func (q *Queries) Reset() {
	for _, c := range []*atomic.Int64{&q.sel, &q.ins, &q.upd, &q.del, &q.other} {
		c.Store(0)
	}
}

func (q *Queries) add(query string) {
	switch Kind(query) {
	case "select":
		q.sel.Add(1)
	case "insert":
		q.ins.Add(1)
	case "update":
		q.upd.Add(1)
	case "delete":
		q.del.Add(1)
	default:
		q.other.Add(1)
	}
}

// Kind classifies a statement by its first keyword: "select", "insert",
// "update", "delete" (a WITH counts as a select) or "other".
func Kind(query string) string {
	q := strings.TrimLeft(query, " \t\r\n(")
	end := strings.IndexAny(q, " \t\r\n(")
	if end < 0 {
		end = len(q)
	}
	switch strings.ToLower(q[:end]) {
	case "select", "with":
		return "select"
	case "insert", "replace":
		return "insert"
	case "update":
		return "update"
	case "delete":
		return "delete"
	}
	return "other"
}

// countingDriver wraps an SQLite driver (modernc.org/sqlite) and counts the statements of the
// connections it opens; each connection reports to the Queries registered
// for its DSN.
type countingDriver struct{ driver.Driver }

// driverName is the database/sql name of the counting driver.
const driverName = "sqlite-counted"

var counters sync.Map // DSN → *Queries, stored before sql.Open

func init() { sql.Register(driverName, &countingDriver{&sqlite.Driver{}}) }

func (d *countingDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.Driver.Open(dsn)
	if err != nil {
		return nil, err
	}
	q, _ := counters.Load(dsn)
	qs, _ := q.(*Queries)
	return &countingConn{Conn: c, q: qs}, nil
}

// countingConn forwards to modernc's connection, which implements the
// context interfaces database/sql prefers; statements prepared on it are
// counted when they run.
type countingConn struct {
	driver.Conn
	q *Queries
}

type inner interface {
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
}

func (c *countingConn) in() inner { return c.Conn.(inner) }

func (c *countingConn) count(query string) {
	if c.q != nil {
		c.q.add(query)
	}
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.in().BeginTx(ctx, opts)
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.in().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: s, conn: c, query: query}, nil
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.count(query)
	return c.in().ExecContext(ctx, query, args)
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.count(query)
	return c.in().QueryContext(ctx, query, args)
}

func (c *countingConn) Ping(ctx context.Context) error { return c.in().Ping(ctx) }
func (c *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *countingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}
func (c *countingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

type countingStmt struct {
	driver.Stmt
	conn  *countingConn
	query string
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.conn.count(s.query)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.conn.count(s.query)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}
