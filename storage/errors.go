package storage

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// Sentinels callers test with errors.Is. A future PostgreSQL backend maps its
// own error codes onto the same values.
var (
	// ErrNotFound: the row asked for does not exist, or a row being written
	// refers to one that does not (a foreign key to a missing user).
	ErrNotFound = errors.New("storage: not found")
	// ErrDuplicate: a unique column already holds the value (phone,
	// username, token hash). The driver's message, wrapped alongside, names
	// the column.
	ErrDuplicate = errors.New("storage: duplicate")
	// ErrSchemaTooNew: the database was migrated by a newer gapd. Opening it
	// anyway could corrupt data that this binary does not understand.
	ErrSchemaTooNew = errors.New("storage: database schema is newer than this binary")
)

// wrap names the operation that failed and maps driver errors onto the
// sentinels, keeping the driver error in the chain for logs.
func wrap(op string, err error) error {
	var se sqlite3.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("storage: %s: %w", op, ErrNotFound)
	case errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique ||
		se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey):
		return fmt.Errorf("storage: %s: %w: %w", op, ErrDuplicate, err)
	case errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey:
		return fmt.Errorf("storage: %s: %w: %w", op, ErrNotFound, err)
	}
	return fmt.Errorf("storage: %s: %w", op, err)
}
