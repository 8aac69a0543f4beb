package storage

import (
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// Every statement a Tx runs goes through get, exec, execOne (tx.go), row
// (scan.go) or the helpers here, so that DB.Statements counts it.

// sel scans every row of a query into the slice dest points at.
func (t *Tx) sel(op string, dest any, query string, args ...any) error {
	t.n.Add(1)
	return wrap(op, t.tx.SelectContext(t.ctx, dest, query, args...))
}

// query runs a query whose rows the caller scans and closes.
func (t *Tx) query(query string, args ...any) (*sql.Rows, error) {
	t.n.Add(1)
	return t.tx.QueryContext(t.ctx, query, args...)
}

// in expands each slice argument of query's IN (?) into one placeholder per
// element (sqlx.In) and rebinds the placeholders for the driver, so one
// statement reads a whole set of ids. No slice may be empty: callers with
// nothing to look up run no statement.
func (t *Tx) in(query string, args ...any) (string, []any, error) {
	q, a, err := sqlx.In(query, args...)
	if err != nil {
		return "", nil, err
	}
	return t.tx.Rebind(q), a, nil
}

// selIn is sel for a query with IN (?) placeholders (in).
func (t *Tx) selIn(op string, dest any, query string, args ...any) error {
	q, a, err := t.in(query, args...)
	if err != nil {
		return wrap(op, err)
	}
	return t.sel(op, dest, q, a...)
}

// queryIn is query for a query with IN (?) placeholders (in).
func (t *Tx) queryIn(query string, args ...any) (*sql.Rows, error) {
	q, a, err := t.in(query, args...)
	if err != nil {
		return nil, err
	}
	return t.query(q, a...)
}
