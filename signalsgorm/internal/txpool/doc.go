// Package txpool puts a wrapper between GORM and a connection pool so that
// every transaction it begins is seen: it gets an identity, a sequence for
// ordering the events it produces, and a queue of items (on-commit
// callbacks) handed to the pool's owner after the outermost commit and
// dropped on rollback. The savepoint statements executed in the
// transaction are followed, so that a rollback to a savepoint drops the
// items queued since, with SQL's semantics.
//
// GORM holds a [Tx] as the statement's ConnPool for the whole transaction,
// nested db.Transaction calls included (they are savepoints of the same
// Tx); [Of] finds it from a *gorm.DB.
//
// A context made by [NewContext] carries a statement's *gorm.DB and its
// Tx: the statements issued with it on the same Pool join that Tx (the
// plugin's join hook asks [Pool.Joined]), and a transaction begun with it
// is a savepoint of that Tx ([Nested]). [Detach] opts out; a context whose
// Tx has ended is refused with an [*EndedError].
package txpool
