package outboxgorm

import (
	"context"
	"database/sql"
	"strconv"
	"sync"

	"github.com/gosignals/signals/signalsgorm/internal/outboxsql"
)

// The workers' frequent statements (reading a batch, marking deliveries)
// are prepared once on the database and reused, on each connection, so
// that the database does not parse them again for every batch. They run
// outside any transaction.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// prepared returns q (with ? placeholders) prepared on the outbox's
// database.
func (o *Outbox) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	o.stmts.mu.Lock()
	defer o.stmts.mu.Unlock()
	if st, ok := o.stmts.m[q]; ok {
		return st, nil
	}
	sqlDB, err := o.db.DB()
	if err != nil {
		return nil, err
	}
	st, err := sqlDB.PrepareContext(ctx, outboxsql.Rebind(o.dialect, q))
	if err != nil {
		return nil, err
	}
	if o.stmts.m == nil {
		o.stmts.m = map[string]*sql.Stmt{}
	}
	o.stmts.m[q] = st
	return st, nil
}

// markDelivered marks the rows ids delivered. SQLite and PostgreSQL get
// the IDs as one parameter (a JSON array, an array literal), so that the
// statement stays the same whatever their number; MySQL gets a list.
func (o *Outbox) markDelivered(ctx context.Context, ids []int64) error {
	set := "UPDATE " + Table + " SET status = '" + outboxsql.StatusDelivered + "', done_at = " + o.now + " WHERE "
	var list []byte
	switch o.dialect {
	case "sqlite":
		set += "id IN (SELECT value FROM json_each(?))"
		list = appendIDs(append(make([]byte, 0, 8*len(ids)), '['), ids)
		list = append(list, ']')
	case "postgres":
		set += "id = ANY(CAST(? AS BIGINT[]))"
		list = appendIDs(append(make([]byte, 0, 8*len(ids)), '{'), ids)
		list = append(list, '}')
	default:
		return o.db.WithContext(ctx).Exec(set+"id IN ?", ids).Error
	}
	st, err := o.prepared(ctx, set)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, string(list))
	return err
}

func appendIDs(b []byte, ids []int64) []byte {
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return b
}
