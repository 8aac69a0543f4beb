// Package txrun runs a function in a database/sql transaction: the one way
// both storage backends begin, roll back and commit outside SQLite's batches.
package txrun

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Run runs fn in a transaction on db and commits it when fn returns nil.
// An error from fn is returned as it is; a panic in fn rolls back (a
// deferred rollback, so the panic keeps its own stack trace).
func Run(ctx context.Context, db *sqlx.DB, opts *sql.TxOptions, fn func(*sqlx.Tx) error) error {
	stx, err := db.BeginTxx(ctx, opts)
	if err != nil {
		return fmt.Errorf("storage: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = stx.Rollback()
		}
	}()
	if err := fn(stx); err != nil {
		return err
	}
	done = true
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("storage: commit: %w", err)
	}
	return nil
}
