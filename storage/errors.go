package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/gapd/gapd/storage/migrate"
)

// Sentinels callers test with errors.Is. Each backend maps its own error
// codes onto the same values (engine.Classify).
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

// classifiers are the Classify of every backend opened in this process (a
// test may hold SQLite and PostgreSQL at once); a driver error is recognised
// only by its own driver, so asking each in turn is exact.
var classifiers struct {
	sync.RWMutex
	byName map[string]func(error) (bool, bool)
}

func classifyWith(e engine) {
	classifiers.Lock()
	defer classifiers.Unlock()
	if classifiers.byName == nil {
		classifiers.byName = map[string]func(error) (bool, bool){}
	}
	classifiers.byName[e.Name()] = e.Classify
}

func classify(err error) (duplicate, missingRef bool) {
	classifiers.RLock()
	defer classifiers.RUnlock()
	for _, c := range classifiers.byName {
		if d, m := c(err); d || m {
			return d, m
		}
	}
	return false, false
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
