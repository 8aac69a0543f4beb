package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gapd/gapd/storage/pgtest"
)

// testCtx bounds every database call of a test, so that a transaction left
// holding the single writer shows up as a failure instead of a hang.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// openTest opens a fresh database in a temporary directory and closes it
// when the test ends.
func openTest(t *testing.T) *DB {
	t.Helper()
	return openAt(t, t.TempDir(), testOptions(t))
}

// testOptions selects the backend under test: a database of its own on the
// PostgreSQL server of `make test`, or SQLite in the test's directory.
func testOptions(t *testing.T) Options {
	return Options{URL: pgtest.URL(t), Synchronous: "OFF"}
}

func openAt(t *testing.T, dir string, opts Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func write(t *testing.T, db *DB, fn func(*Tx) error) {
	t.Helper()
	if err := db.Write(testCtx(t), fn); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func read(t *testing.T, db *DB, fn func(*Tx) error) {
	t.Helper()
	if err := db.Read(testCtx(t), fn); err != nil {
		t.Fatalf("Read: %v", err)
	}
}

// newUser creates a user with the given phone and a username derived from it.
func newUser(t *testing.T, db *DB, phone string) User {
	t.Helper()
	var u User
	write(t, db, func(tx *Tx) error {
		var err error
		u, err = tx.CreateUser(phone, "IR", "u"+phone[1:], 1000)
		return err
	})
	return u
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("%s: got %v, want ErrNotFound", what, err)
	}
}
