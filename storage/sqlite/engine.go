// Package sqlite is gapd's embedded storage backend: one SQLite file in the
// data directory, reached through sqlx and go-sqlite3. Package storage runs
// its queries on the transactions this engine hands out.
//
// Concurrency model: SQLite allows one writer at a time, so all writes go
// through a single connection (requests queue in database/sql instead of
// spinning on SQLITE_BUSY), while reads run on a pool of read-only connections
// that WAL mode lets proceed in parallel with the writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"

	"github.com/gapd/gapd/storage/internal/txrun"
	"github.com/gapd/gapd/storage/migrate"
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

// Engine is an open SQLite database: one writer connection and a reader pool.
type Engine struct {
	w  *sqlx.DB      // exactly one connection; every Write runs here, through b
	r  *sqlx.DB      // read-only pool; every Read runs here
	b  *batcher      // gathers concurrent Writes into shared transactions
	ck *checkpointer // copies the WAL into the database file (checkpoint.go)
}

// Open creates dir if needed, opens dir/gapd.db, applies pending schema
// migrations and returns the engine. It fails if the file's schema is newer
// than this binary knows (migrate.ErrSchemaTooNew).
func Open(ctx context.Context, dir string, opts Options) (*Engine, error) {
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
	ms, err := Migrations()
	if err == nil {
		err = migrate.Run(ctx, w, ms, migrate.Dialect{CreateTable: createMigrationsTable})
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
	return &Engine{w: w, r: r, b: newBatcher(w), ck: ck}, nil
}

// Close closes the readers, then the writer. The writer goes last because
// the last connection to close checkpoints the WAL into the main file, and
// read-only connections cannot do that.
func (db *Engine) Close() error {
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

// driverName is the name go-sqlite3 registers with database/sql.
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

// Ping checks that both the writer and the readers answer a query that
// reads the database (health checks): a closed or unreadable database fails.
func (db *Engine) Ping(ctx context.Context) error {
	const q = `SELECT COUNT(*) FROM schema_migrations`
	var n int
	if err := db.w.GetContext(ctx, &n, q); err != nil {
		return fmt.Errorf("storage: writer: %w", err)
	}
	if err := db.r.GetContext(ctx, &n, q); err != nil {
		return fmt.Errorf("storage: readers: %w", err)
	}
	return nil
}

// Schema changes live in migrations/NNNN_name.sql (package migrate).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are this backend's schema steps, in order.
func Migrations() ([]migrate.Migration, error) {
	return migrate.LoadDir(migrationFiles, "migrations")
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at INTEGER NOT NULL
) STRICT`

// Write runs fn in the single writer's transaction and returns after it has
// committed; writes that arrive together share one transaction and one sync,
// each fn inside its own savepoint (group commit, batch.go). fn's ctx is the
// caller's, without its cancellation: once fn runs it runs to the end.
func (db *Engine) Write(ctx context.Context, fn func(context.Context, *sqlx.Tx) error) error {
	err := db.b.submit(ctx, fn)
	db.ck.wrote()
	return err
}

// Read runs fn in a read-only transaction on the reader pool: a consistent
// snapshot that does not wait for, or hold up, the writer.
func (db *Engine) Read(ctx context.Context, fn func(*sqlx.Tx) error) error {
	return txrun.Run(ctx, db.r, &sql.TxOptions{ReadOnly: true}, fn)
}

// Batches reports the write transactions committed or rolled back so far and
// the requests they carried (tests, benchmarks).
func (db *Engine) Batches() (txs, reqs int64) { return db.b.txs.Load(), db.b.reqs.Load() }

// Name is the backend's name for logs and metrics.
func (db *Engine) Name() string { return "sqlite" }

// RowLocks is false: the single writer already serialises every write.
func (db *Engine) RowLocks() bool { return false }

// AbortsOnError is false: a failed statement leaves the transaction usable.
func (db *Engine) AbortsOnError() bool { return false }

// Classify tells go-sqlite3's unique-constraint violations and missing
// foreign keys apart from its other errors.
func Classify(err error) (duplicate, missingRef bool) {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false, false
	}
	return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey,
		se.ExtendedCode == sqlite3.ErrConstraintForeignKey
}
