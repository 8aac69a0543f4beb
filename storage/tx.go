package storage

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// Tx is one transaction. The query methods (users.go, sessions.go, ...) hang
// off it, so a handler's reads and writes for one request share a snapshot
// and commit or vanish together. A Tx is valid only inside the function
// passed to Write or Read.
type Tx struct {
	// ctx is kept so query methods read like the domain (tx.UserByID(id))
	// rather than repeating the request's context on every call; it lives
	// no longer than the transaction itself.
	ctx      context.Context
	tx       *sqlx.Tx
	db       *DB
	readOnly bool             // a Read: nothing to lock against
	locked   map[heldRow]bool // rows this transaction has locked (Tx.lock)
}

// Write runs fn in a write transaction and returns after that transaction
// has committed. When fn returns an error or panics, its own work is rolled
// back (the panic then continues in the caller's goroutine) and the error is
// returned unwrapped, so protocol errors pass through intact.
//
// On SQLite, writes that arrive together share one transaction and one sync
// (group commit): fn runs inside a savepoint of that transaction, so it sees
// the work of requests before it in the batch, and a failed COMMIT fails
// every request it held. On PostgreSQL each Write is a transaction of its
// own, and writes on different nodes run at once: code that changes a room's
// messages takes the room's lock first (NextVersion, InsertMessage). Either
// way, a nil return means fn's work is durable, and an error means none of it
// is.
//
// Every request is one Write: a handler does all its work inside one Write
// and sends its response (and pushes) only after Write has returned nil.
// Keep fn short, never wait on the network inside it, and never call Write
// from inside fn (it would wait for itself forever). fn runs exactly once. A
// cancelled ctx stops a Write that has not started; once fn runs, it runs to
// the end and its outcome is returned.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	return db.eng.Write(ctx, func(ctx context.Context, stx *sqlx.Tx) error {
		return fn(&Tx{ctx: ctx, tx: stx, db: db})
	})
}

// Read runs fn in a read-only transaction: a consistent snapshot that does
// not wait for, or hold up, writers. Any attempt to write inside fn fails.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return db.eng.Read(ctx, func(stx *sqlx.Tx) error {
		return fn(&Tx{ctx: ctx, tx: stx, db: db, readOnly: true})
	})
}

// get scans one row into dest; no row becomes ErrNotFound.
func (t *Tx) get(op string, dest any, query string, args ...any) error {
	t.db.n.Add(1)
	return wrap(op, t.tx.GetContext(t.ctx, dest, query, args...))
}

// exec runs a statement whose row count does not matter.
func (t *Tx) exec(op string, query string, args ...any) (sql.Result, error) {
	t.db.n.Add(1)
	res, err := t.tx.ExecContext(t.ctx, query, args...)
	return res, wrap(op, err)
}

// execOne runs a statement that must touch a row: none touched is ErrNotFound.
func (t *Tx) execOne(op string, query string, args ...any) error {
	res, err := t.exec(op, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return wrap(op, sql.ErrNoRows)
	}
	return nil
}

// queryIn is selIn for rows scanned by hand.
func (t *Tx) queryIn(query string, args ...any) (*sql.Rows, error) {
	q, a, err := sqlx.In(query, args...)
	if err != nil {
		return nil, err
	}
	return t.query(q, a...)
}

// guard runs fn, a statement whose constraint error is an answer
// (ErrDuplicate, ErrNotFound) the caller may go on from. PostgreSQL ends a
// transaction at its first failed statement, so there fn runs inside a
// savepoint that such a failure rolls back to; SQLite needs none. fn takes
// no row lock (Tx.lock): a rollback to the savepoint would release it.
func (t *Tx) guard(fn func() error) error {
	if !t.db.eng.AbortsOnError() {
		return fn()
	}
	t.db.n.Add(2) // the savepoint and its end
	if _, err := t.tx.ExecContext(t.ctx, "SAVEPOINT guard"); err != nil {
		return wrap("savepoint", err)
	}
	err := fn()
	end := "RELEASE SAVEPOINT guard"
	if err != nil {
		end = "ROLLBACK TO SAVEPOINT guard"
	}
	if _, serr := t.tx.ExecContext(t.ctx, end); serr != nil && err == nil {
		err = wrap("savepoint", serr)
	}
	return err
}
