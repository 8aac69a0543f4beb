package storage

import (
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// Every statement a Tx runs goes through get, exec, execOne (tx.go), row
// (scan.go) or the helpers here, so that DB.Statements counts it.

// sel scans every row of a query into the slice dest points at.
func (t *Tx) sel(op string, dest any, query string, args ...any) error {
	t.db.n.Add(1)
	return wrap(op, t.tx.SelectContext(t.ctx, dest, query, args...))
}

// query runs a query whose rows the caller scans and closes.
func (t *Tx) query(query string, args ...any) (*sql.Rows, error) {
	t.db.n.Add(1)
	return t.tx.QueryContext(t.ctx, query, args...)
}

// selIn is sel for a query whose IN (?) placeholders take slices: sqlx.In
// makes each slice one placeholder per element, and the placeholders are
// rebound for the driver, so one statement reads a whole set of ids. No
// slice may be empty: callers with nothing to look up run no statement.
func (t *Tx) selIn(op string, dest any, query string, args ...any) error {
	q, a, err := sqlx.In(query, args...)
	if err != nil {
		return wrap(op, err)
	}
	return t.sel(op, dest, t.tx.Rebind(q), a...)
}
