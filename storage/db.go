// Package storage keeps gapd's state in SQLite, reached through sqlx.
//
// The exported surface is deliberately small: Open, Close, Write, Read and the
// query methods on *Tx, with plain structs (User, Session, ...), typed ids
// (UserID, RoomID, ...; ids.go) and sentinel errors (ErrNotFound,
// ErrDuplicate, ErrSchemaTooNew). Nothing SQLite-specific leaks out, so a
// PostgreSQL implementation can later offer the same methods.
//
// Concurrency model: SQLite allows one writer at a time, so all writes go
// through a single connection (requests queue in database/sql instead of
// spinning on SQLITE_BUSY), while reads run on a pool of read-only connections
// that WAL mode lets proceed in parallel with the writer.
package storage

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// FileName is the database file created inside the data directory.
const FileName = "gapd.db"

// stmtCacheSize is how many prepared statements each connection keeps
// (go-sqlite3's _stmt_cache_size). The query set is small and fixed, so every
// statement is parsed once per connection and then reused.
const stmtCacheSize = 128

// Options tune Open. The zero value is the production default.
type Options struct {
	// Synchronous is SQLite's synchronous setting: "FULL" (default) makes a
	// commit durable across power loss, which is what "acknowledged after
	// commit" promises. "NORMAL" is faster and survives a process crash but
	// may lose the last commits on power loss. "OFF" is for tests only.
	Synchronous string
	// BusyTimeout is how long a connection waits for a lock held by another
	// process (a backup tool, a second gapd by mistake). Default 5s.
	BusyTimeout time.Duration
	// Readers is the size of the read-only pool. Default GOMAXPROCS*2.
	Readers int
}

func (o Options) withDefaults() (Options, error) {
	o.Synchronous = strings.ToUpper(o.Synchronous)
	switch o.Synchronous {
	case "":
		o.Synchronous = "FULL"
	case "OFF", "NORMAL", "FULL", "EXTRA":
	default:
		return o, fmt.Errorf("storage: invalid Synchronous %q (want OFF, NORMAL, FULL or EXTRA)", o.Synchronous)
	}
	if o.BusyTimeout == 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.BusyTimeout < 0 {
		return o, fmt.Errorf("storage: negative BusyTimeout %v", o.BusyTimeout)
	}
	if o.Readers == 0 {
		o.Readers = runtime.GOMAXPROCS(0) * 2
	}
	if o.Readers < 0 {
		return o, fmt.Errorf("storage: negative Readers %d", o.Readers)
	}
	return o, nil
}

// DB is an open gapd database: one writer connection and a reader pool.
type DB struct {
	w  *sqlx.DB      // exactly one connection; every Write runs here, through b
	r  *sqlx.DB      // read-only pool; every Read runs here
	b  *batcher      // gathers concurrent Writes into shared transactions
	ck *checkpointer // copies the WAL into the database file (checkpoint.go)
	n  *atomic.Int64 // statements run by Txs (Statements)
}

// Open creates dir if needed, opens dir/gapd.db, applies pending schema
// migrations and returns the database. It fails if the file's schema is newer
// than this binary knows (ErrSchemaTooNew).
func Open(ctx context.Context, dir string, opts Options) (*DB, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("storage: create data directory: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dir, FileName))
	if err != nil {
		return nil, fmt.Errorf("storage: database path: %w", err)
	}

	w, err := openWriter(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	ms, err := embeddedMigrations()
	if err == nil {
		err = migrate(ctx, w, ms)
	}
	if err != nil {
		w.Close()
		return nil, err
	}
	// Readers open read-only, so the file and its WAL must exist first: the
	// writer (above) has created them.
	r, err := openReaders(ctx, path, opts)
	if err != nil {
		w.Close()
		return nil, err
	}
	ck, err := openCheckpointer(ctx, path, opts)
	if err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	n := new(atomic.Int64)
	return &DB{w: w, r: r, b: newBatcher(w, n), ck: ck, n: n}, nil
}

// Statements is how many SQL statements the transactions of Write and Read
// have run since Open: a cheap gauge of how many round trips a request
// costs, for tests and metrics.
func (db *DB) Statements() int64 { return db.n.Load() }

// Close closes the readers, then the writer. The writer goes last because
// the last connection to close checkpoints the WAL into the main file, and
// read-only connections cannot do that.
func (db *DB) Close() error {
	db.b.stop()
	rerr := db.r.Close()
	if cerr := db.ck.close(); rerr == nil {
		rerr = cerr
	}
	werr := db.w.Close()
	if werr != nil {
		return fmt.Errorf("storage: close writer: %w", werr)
	}
	if rerr != nil {
		return fmt.Errorf("storage: close readers: %w", rerr)
	}
	return nil
}

func openWriter(ctx context.Context, path string, opts Options) (*sqlx.DB, error) {
	q := commonParams(opts)
	q.Set("mode", "rwc")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", opts.Synchronous) // applied after journal mode, so WAL's NORMAL default is overridden
	// IMMEDIATE takes the write lock at BEGIN: a transaction never fails
	// half-way with SQLITE_BUSY when it tries to upgrade a read lock.
	q.Set("_txlock", "immediate")
	w, err := sqlx.Open(driverName, dsn(path, q))
	if err != nil {
		return nil, fmt.Errorf("storage: open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	// journal_mode=WAL is silently ignored where WAL is impossible (some
	// network filesystems); readers would then block the writer, so refuse.
	var mode string
	if err := w.GetContext(ctx, &mode, "PRAGMA journal_mode"); err != nil {
		w.Close()
		return nil, fmt.Errorf("storage: open writer %s: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		w.Close()
		return nil, fmt.Errorf("storage: %s: journal mode is %q, WAL is required", path, mode)
	}
	if _, err := w.ExecContext(ctx, "PRAGMA wal_autocheckpoint = "+strconv.Itoa(writerCheckpointPages)); err != nil {
		w.Close()
		return nil, fmt.Errorf("storage: open writer %s: %w", path, err)
	}
	return w, nil
}

func openReaders(ctx context.Context, path string, opts Options) (*sqlx.DB, error) {
	q := commonParams(opts)
	// mode=ro opens the file read-only; query_only also refuses writes at
	// the SQL level. Either alone would do; together a bug cannot write.
	q.Set("mode", "ro")
	q.Set("_query_only", "on")
	r, err := sqlx.Open(driverName, dsn(path, q))
	if err != nil {
		return nil, fmt.Errorf("storage: open readers: %w", err)
	}
	r.SetMaxOpenConns(opts.Readers)
	r.SetMaxIdleConns(opts.Readers) // database/sql keeps only 2 idle by default: the rest would reconnect
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		return nil, fmt.Errorf("storage: open readers %s: %w", path, err)
	}
	return r, nil
}

// driverName is the name go-sqlite3 registers with database/sql (errors.go
// imports the package, which registers it).
const driverName = "sqlite3"

// commonParams are the go-sqlite3 DSN parameters both sides share.
func commonParams(opts Options) url.Values {
	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10))
	q.Set("_foreign_keys", "on")
	q.Set("_stmt_cache_size", strconv.Itoa(stmtCacheSize))
	return q
}

// dsn builds a "file:" URI. The URI form is needed for mode=ro, and the path
// is escaped so that '?', '#' or '%' in a directory name cannot be mistaken
// for the start of the parameters.
func dsn(path string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// Ping checks that both the writer and the readers answer (health checks).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("storage: writer: %w", err)
	}
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("storage: readers: %w", err)
	}
	return nil
}
