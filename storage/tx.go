package storage

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"

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
	ctx context.Context
	tx  *sqlx.Tx
	n   *atomic.Int64 // the DB's statement counter (DB.Statements)
}

// Write runs fn inside an IMMEDIATE transaction on the single writer
// connection and returns after that transaction has committed. When fn
// returns an error or panics, its own work is rolled back (the panic then
// continues in the caller's goroutine) and the error is returned unwrapped,
// so protocol errors pass through intact.
//
// Writes that arrive together share one transaction and one sync (group
// commit, batch.go): fn runs inside a savepoint of that transaction, so it
// sees the work of requests before it in the batch, and a failed COMMIT
// fails every request it held. Either way, a nil return means fn's work is
// durable, and an error means none of it is.
//
// Every request is one Write: a handler does all its work inside one Write
// and sends its response (and pushes) only after Write has returned nil.
// fns run one after another on one goroutine, so keep fn short, never wait
// on the network inside it, and never call Write from inside fn (it would
// wait for itself forever). A cancelled ctx stops a Write that has not
// started; once fn runs, it runs to the end and its outcome is returned.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	err := db.b.submit(ctx, fn)
	db.ck.wrote()
	return err
}

// Read runs fn in a read-only transaction on the reader pool: a consistent
// snapshot that does not wait for, or hold up, the writer. Any attempt to
// write inside fn fails.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return run(ctx, db.r, &sql.TxOptions{ReadOnly: true}, db.n, fn)
}

func run(ctx context.Context, h *sqlx.DB, opts *sql.TxOptions, n *atomic.Int64, fn func(*Tx) error) error {
	stx, err := h.BeginTxx(ctx, opts)
	if err != nil {
		return fmt.Errorf("storage: begin: %w", err)
	}
	// A deferred rollback (rather than recover and re-panic) also covers a
	// panic in fn while keeping the panic's original stack trace.
	done := false
	defer func() {
		if !done {
			_ = stx.Rollback()
		}
	}()
	if err := fn(&Tx{ctx: ctx, tx: stx, n: n}); err != nil {
		return err
	}
	done = true
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("storage: commit: %w", err)
	}
	return nil
}

// get scans one row into dest; no row becomes ErrNotFound.
func (t *Tx) get(op string, dest any, query string, args ...any) error {
	t.n.Add(1)
	return wrap(op, t.tx.GetContext(t.ctx, dest, query, args...))
}

// exec runs a statement whose row count does not matter.
func (t *Tx) exec(op string, query string, args ...any) (sql.Result, error) {
	t.n.Add(1)
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
