package storage

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/gapd/gapd/storage/migrate"
	"github.com/gapd/gapd/storage/postgres"
	"github.com/gapd/gapd/storage/sqlite"
)

// Sentinels callers test with errors.Is. Each backend maps its own error
// codes onto the same values (classify).
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
	ErrSchemaTooNew = migrate.ErrSchemaTooNew
)

// classify asks each backend's driver whether err is a unique-constraint
// violation or a missing foreign key: an error is recognised only by the
// driver that made it, so asking both is exact.
func classify(err error) (duplicate, missingRef bool) {
	if d, m := sqlite.Classify(err); d || m {
		return d, m
	}
	return postgres.Classify(err)
}

// wrap names the operation that failed and maps driver errors onto the
// sentinels, keeping the driver error in the chain for logs.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("storage: %s: %w", op, ErrNotFound)
	}
	switch dup, ref := classify(err); {
	case dup:
		return fmt.Errorf("storage: %s: %w: %w", op, ErrDuplicate, err)
	case ref:
		return fmt.Errorf("storage: %s: %w: %w", op, ErrNotFound, err)
	}
	return fmt.Errorf("storage: %s: %w", op, err)
}
