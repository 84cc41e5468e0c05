package modelsignals

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
)

// OpenDB opens a database like [sql.Open], with connections that send
// [ConnectionCreated] (with the alias using) each time the pool opens a new
// physical connection — Django's connection_created, for session set-up
// such as SQLite PRAGMAs or a PostgreSQL SET. Reused connections send
// nothing. Hand the *sql.DB to an ORM (for GORM, the dialector's Conn
// field). A receiver's error fails the connection attempt, which is then
// closed.
func OpenDB(driverName, dsn, using string) (*sql.DB, error) {
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	d := db.Driver()
	_ = db.Close() // it never opened a connection; only its driver is needed
	var c driver.Connector
	if dc, ok := d.(driver.DriverContext); ok {
		if c, err = dc.OpenConnector(dsn); err != nil {
			return nil, err
		}
	} else {
		c = dsnConnector{d, dsn}
	}
	return sql.OpenDB(WrapConnector(c, using)), nil
}

// WrapConnector returns a connector that sends [ConnectionCreated] for each
// connection c opens.
func WrapConnector(c driver.Connector, using string) driver.Connector {
	return &connector{c: c, using: using}
}

type connector struct {
	c     driver.Connector
	using string
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.c.Connect(ctx)
	if err != nil || !ConnectionCreated.HasListeners(c.using) {
		return conn, err
	}
	if err := ConnectionCreated.Send(ctx, c.using, ConnectionEvent{Using: c.using, Conn: conn}); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

func (c *connector) Driver() driver.Driver { return c.c.Driver() }

// Close closes the wrapped connector if it has a Close method; sql.DB.Close
// calls it.
func (c *connector) Close() error {
	if cl, ok := c.c.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

type dsnConnector struct {
	d   driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.d }

// execConn runs query on a raw driver connection.
func execConn(ctx context.Context, conn driver.Conn, query string, args []any) error {
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return fmt.Errorf("modelsignals: Exec %q: argument %d: %w", query, i+1, err)
		}
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	if ex, ok := conn.(driver.ExecerContext); ok {
		_, err := ex.ExecContext(ctx, query, named)
		if !errors.Is(err, driver.ErrSkip) {
			return err
		}
	}
	var stmt driver.Stmt
	var err error
	if pc, ok := conn.(driver.ConnPrepareContext); ok {
		stmt, err = pc.PrepareContext(ctx, query)
	} else {
		stmt, err = conn.Prepare(query)
	}
	if err != nil {
		return err
	}
	defer stmt.Close()
	if sc, ok := stmt.(driver.StmtExecContext); ok {
		_, err = sc.ExecContext(ctx, named)
		return err
	}
	values := make([]driver.Value, len(named))
	for i, n := range named {
		values[i] = n.Value
	}
	//lint:ignore SA1019 the fallback for drivers without StmtExecContext
	_, err = stmt.Exec(values)
	return err
}
