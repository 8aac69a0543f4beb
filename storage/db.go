// Package storage keeps gapd's state in a relational database: SQLite
// embedded in the data directory (storage/sqlite, the default), or
// PostgreSQL shared by several gapd nodes (storage/postgres).
//
// The exported surface is deliberately small: Open, Close, Write, Read and the
// query methods on *Tx, with plain structs (User, Session, ...), typed ids
// (UserID, RoomID, ...; ids.go) and sentinel errors (ErrNotFound,
// ErrDuplicate, ErrSchemaTooNew). The queries are written once, in SQL both
// backends accept, with '?' placeholders; each backend supplies its
// transactions, its migrations and the meaning of its driver errors.
package storage

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/gapd/gapd/storage/postgres"
	"github.com/gapd/gapd/storage/sqlite"
)

// FileName is the SQLite database file created inside the data directory.
const FileName = sqlite.FileName

// Options tune Open. The zero value is the production default: SQLite in the
// data directory.
type Options struct {
	// URL selects PostgreSQL when it is a postgres:// (or postgresql://)
	// URL; empty means SQLite in the data directory.
	URL string
	// MaxConns bounds PostgreSQL's connection pool (default: the URL's
	// pool_max_conns, or 4 per CPU and at least 8).
	MaxConns int

	// Synchronous is SQLite's synchronous setting: "FULL" (default) makes a
	// commit durable across power loss, which is what "acknowledged after
	// commit" promises. "NORMAL" is faster and survives a process crash but
	// may lose the last commits on power loss. "OFF" is for tests only.
	Synchronous string
	// BusyTimeout is how long a SQLite connection waits for a lock held by
	// another process (a backup tool, a second gapd by mistake). Default 5s.
	BusyTimeout time.Duration
	// Readers is the size of SQLite's read-only pool. Default GOMAXPROCS*2.
	Readers int
}

// engine is what a backend provides: transactions, health and the meaning of
// its errors. Write's fn runs once, in a transaction that commits before
// Write returns nil; the ctx it gets is the caller's without cancellation.
type engine interface {
	Write(ctx context.Context, fn func(context.Context, *sqlx.Tx) error) error
	Read(ctx context.Context, fn func(*sqlx.Tx) error) error
	Ping(ctx context.Context) error
	Close() error
	Name() string
	// RowLocks: writers run at once (PostgreSQL), so a read that a write
	// depends on locks its row (Tx.lock); false where writes are serialised.
	RowLocks() bool
	// AbortsOnError: a failed statement ends the transaction (PostgreSQL),
	// so statements whose failure is an answer run in a savepoint (Tx.guard).
	AbortsOnError() bool
}

// DB is an open gapd database.
type DB struct {
	eng engine
	n   atomic.Int64 // statements run by Txs (Statements)
}

// IsPostgres reports whether url selects the PostgreSQL backend.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Open opens the database opts selects, applies pending schema migrations and
// returns it: PostgreSQL at opts.URL, or SQLite in dir (created if needed).
// It fails if the schema is newer than this binary knows (ErrSchemaTooNew).
func Open(ctx context.Context, dir string, opts Options) (*DB, error) {
	var (
		e   engine
		err error
	)
	switch {
	case IsPostgres(opts.URL):
		e, err = postgres.Open(ctx, opts.URL, postgres.Options{MaxConns: opts.MaxConns})
	case opts.URL != "":
		return nil, fmt.Errorf("storage: database URL %q: want empty (SQLite in the data directory) or postgres://", redact(opts.URL))
	default:
		e, err = sqlite.Open(ctx, dir, sqlite.Options{Synchronous: opts.Synchronous, BusyTimeout: opts.BusyTimeout, Readers: opts.Readers})
	}
	if err != nil {
		return nil, err
	}
	return &DB{eng: e}, nil
}

// redact hides a URL's password in messages.
func redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	at := strings.LastIndex(rest, "@")
	if !ok || at < 0 {
		return url
	}
	return scheme + "://…@" + rest[at+1:]
}

// Statements is how many SQL statements the transactions of Write and Read
// have run since Open: a cheap gauge of how many round trips a request
// costs, for tests and metrics.
func (db *DB) Statements() int64 { return db.n.Load() }

// Close releases the database; Writes after it fail.
func (db *DB) Close() error { return db.eng.Close() }

// Ping checks that the database answers (health checks).
func (db *DB) Ping(ctx context.Context) error { return db.eng.Ping(ctx) }

// Backend names the backend in use: "sqlite" or "postgres".
func (db *DB) Backend() string { return db.eng.Name() }
