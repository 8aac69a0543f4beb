// Package postgres is gapd's shared storage backend: one PostgreSQL database
// that any number of gapd nodes use at once, reached through pgx's pool
// behind database/sql (so package storage's queries run unchanged).
//
// Concurrency model: every Write is its own READ COMMITTED transaction on a
// pooled connection, committed with synchronous_commit on before Write
// returns. Writers on different nodes run at once, so what must not
// interleave takes a row lock: the room's row for anything that takes a room
// version (storage's NextVersion and InsertMessage). A transaction that
// deadlocks or fails to serialise is rolled back; the caller gets the error.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	"github.com/gapd/gapd/storage/internal/txrun"
	"github.com/gapd/gapd/storage/migrate"
)

// Options tune Open.
type Options struct {
	// MaxConns bounds the pool; 0: the URL's pool_max_conns, or 4 per
	// CPU and at least 8.
	MaxConns int
}

// Engine is an open PostgreSQL database.
type Engine struct {
	pool *pgxpool.Pool
	db   *sqlx.DB
}

// Open connects to url, applies pending migrations and returns the engine.
func Open(ctx context.Context, url string, opts Options) (*Engine, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("storage: postgres URL: %w", err)
	}
	switch {
	case opts.MaxConns > 0:
		cfg.MaxConns = int32(opts.MaxConns)
	case !strings.Contains(url, "pool_max_conns"):
		cfg.MaxConns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	// "Acknowledged after commit" means durable: refuse a server or URL that
	// turned it off for us.
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("storage: postgres pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("storage: postgres %s: %w", cfg.ConnConfig.Host, err)
	}
	// sqlx keeps '?' (its default for unknown drivers); the connector
	// rewrites them for PostgreSQL (driver.go).
	sdb := sql.OpenDB(connector{stdlib.GetPoolConnector(pool)})
	sdb.SetMaxOpenConns(int(cfg.MaxConns))
	sdb.SetMaxIdleConns(int(cfg.MaxConns))
	db := sqlx.NewDb(sdb, "gapd-postgres")
	e := &Engine{pool: pool, db: db}
	ms, err := Migrations()
	for try := 0; err == nil; try++ {
		err = migrate.Run(ctx, db, ms, migrate.Dialect{CreateTable: createMigrationsTable, Lock: lockMigrations})
		// Nodes starting together on an empty database may race to
		// create schema_migrations itself; the loser finds it next time.
		if err == nil || try == 2 || ctx.Err() != nil {
			break
		}
		err = nil
		time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
	}
	if err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Schema changes live in migrations/NNNN_name.sql (package migrate).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are this backend's schema steps, in order.
func Migrations() ([]migrate.Migration, error) {
	return migrate.LoadDir(migrationFiles, "migrations")
}

const (
	createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT PRIMARY KEY,
	name       TEXT   NOT NULL,
	applied_at BIGINT NOT NULL
)`
	// Nodes starting together take turns: the second sees the step done.
	lockMigrations = `LOCK TABLE schema_migrations IN EXCLUSIVE MODE`
)

// Write runs fn in a transaction of its own and commits it.
func (e *Engine) Write(ctx context.Context, fn func(context.Context, *sqlx.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Once fn runs, a caller's cancellation must not cut it short: its
	// outcome is reported as it is.
	run := context.WithoutCancel(ctx)
	return txrun.Run(run, e.db, nil, func(stx *sqlx.Tx) error { return fn(run, stx) })
}

// Read runs fn in a read-only transaction.
func (e *Engine) Read(ctx context.Context, fn func(*sqlx.Tx) error) error {
	return txrun.Run(ctx, e.db, &sql.TxOptions{ReadOnly: true}, fn)
}

// Ping checks that the database answers a query.
func (e *Engine) Ping(ctx context.Context) error {
	var one int
	if err := e.db.GetContext(ctx, &one, `SELECT COUNT(*) FROM schema_migrations`); err != nil {
		return fmt.Errorf("storage: postgres: %w", err)
	}
	return nil
}

// Close closes the pool.
func (e *Engine) Close() error {
	err := e.db.Close()
	e.pool.Close()
	return err
}

// Name is the backend's name for logs and metrics.
func (e *Engine) Name() string { return "postgres" }

// RowLocks is true: writers run at once, so storage locks the rows whose
// reads a write depends on (SELECT ... FOR UPDATE).
func (e *Engine) RowLocks() bool { return true }

// AbortsOnError is true: PostgreSQL ends a transaction at a failed
// statement, so storage runs the statements whose failure is an answer in a
// savepoint.
func (e *Engine) AbortsOnError() bool { return true }

// Classify tells PostgreSQL's unique-constraint violations and missing
// foreign keys (by SQLSTATE) apart from its other errors.
func Classify(err error) (duplicate, missingRef bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false, false
	}
	return pe.Code == "23505", pe.Code == "23503"
}
