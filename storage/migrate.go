package storage

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Schema changes live in migrations/NNNN_name.sql, numbered from 0001 without
// gaps. A released migration is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string // the file name without number and extension, for the record
	sql     string
}

func embeddedMigrations() ([]migration, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("storage: migrations: %w", err)
	}
	return loadMigrations(sub)
}

// loadMigrations reads every *.sql file at the root of fsys and checks that
// the versions run 1, 2, 3... so a misnamed or missing file stops the start
// instead of silently skipping a step.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("storage: migrations: %w", err)
	}
	var ms []migration
	for _, file := range names {
		num, name, ok := strings.Cut(strings.TrimSuffix(path.Base(file), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || name == "" {
			return nil, fmt.Errorf("storage: migration file %q: want NNNN_name.sql", file)
		}
		body, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("storage: migration file %q: %w", file, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("storage: migrations: found version %d (%s) where %d was expected", m.version, m.name, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("storage: migrations: none found")
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at INTEGER NOT NULL
) STRICT`

// migrate brings the database on w up to the last of ms. Each migration runs
// in its own transaction together with its schema_migrations row, so a
// failure leaves the database at the previous version, never half-way.
func migrate(ctx context.Context, w *sqlx.DB, ms []migration) error {
	if _, err := w.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("storage: create schema_migrations: %w", err)
	}
	var current int
	if err := w.GetContext(ctx, &current, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return fmt.Errorf("storage: read schema version: %w", err)
	}
	latest := ms[len(ms)-1]
	if current > latest.version {
		return fmt.Errorf("%w: the database is at version %d but this gapd knows only up to %d (%s); run the newer gapd or restore a backup taken before the upgrade",
			ErrSchemaTooNew, current, latest.version, latest.name)
	}
	for _, m := range ms[current:] {
		if err := apply(ctx, w, m); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, w *sqlx.DB, m migration) error {
	tx, err := w.BeginTxx(ctx, nil) // IMMEDIATE via the writer's _txlock
	if err != nil {
		return fmt.Errorf("storage: migration %04d_%s: begin: %w", m.version, m.name, err)
	}
	defer tx.Rollback() // no-op after Commit
	// Another process may have applied it since we read the version; the
	// IMMEDIATE lock makes this check and the change atomic.
	var seen int
	if err := tx.GetContext(ctx, &seen, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version); err != nil {
		return fmt.Errorf("storage: migration %04d_%s: %w", m.version, m.name, err)
	}
	if seen > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("storage: migration %04d_%s: %w", m.version, m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, time.Now().Unix()); err != nil {
		return fmt.Errorf("storage: migration %04d_%s: record: %w", m.version, m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: migration %04d_%s: commit: %w", m.version, m.name, err)
	}
	return nil
}
