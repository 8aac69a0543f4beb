// Package migrate applies a backend's numbered schema migrations. Both
// storage backends (sqlite, postgres) keep their own migrations/NNNN_name.sql
// files, numbered from 0001 without gaps, and run them at start through Run.
// A released migration is never edited: a change is a new file.
package migrate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrSchemaTooNew: the database was migrated by a newer gapd. Opening it
// anyway could corrupt data that this binary does not understand.
var ErrSchemaTooNew = errors.New("storage: database schema is newer than this binary")

// Migration is one schema step.
type Migration struct {
	Version int
	Name    string // the file name without number and extension, for the record
	SQL     string
}

// Dialect is what differs between backends in running migrations.
type Dialect struct {
	// CreateTable creates schema_migrations (version, name, applied_at) if
	// it does not exist.
	CreateTable string
	// Lock, run first in each migration's transaction, keeps two nodes
	// starting at once from applying the same step twice ("" when the
	// transaction's own lock already does, as SQLite's IMMEDIATE does).
	Lock string
}

// LoadDir is Load of the directory dir of fsys (a backend's embedded files).
func LoadDir(fsys fs.FS, dir string) ([]Migration, error) {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("storage: migrations: %w", err)
	}
	return Load(sub)
}

// Load reads every *.sql file at the root of fsys and checks that the
// versions run 1, 2, 3... so a misnamed or missing file stops the start
// instead of silently skipping a step.
func Load(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("storage: migrations: %w", err)
	}
	var ms []Migration
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
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("storage: migrations: found version %d (%s) where %d was expected", m.Version, m.Name, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("storage: migrations: none found")
	}
	return ms, nil
}

// Run brings the database on w up to the last of ms. Each migration runs in
// its own transaction together with its schema_migrations row, so a failure
// leaves the database at the previous version, never half-way. w's
// statements use '?' placeholders.
func Run(ctx context.Context, w *sqlx.DB, ms []Migration, d Dialect) error {
	if _, err := w.ExecContext(ctx, d.CreateTable); err != nil {
		return fmt.Errorf("storage: create schema_migrations: %w", err)
	}
	var current int
	if err := w.GetContext(ctx, &current, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return fmt.Errorf("storage: read schema version: %w", err)
	}
	latest := ms[len(ms)-1]
	if current > latest.Version {
		return fmt.Errorf("%w: the database is at version %d but this gapd knows only up to %d (%s); run the newer gapd or restore a backup taken before the upgrade",
			ErrSchemaTooNew, current, latest.Version, latest.Name)
	}
	for _, m := range ms[current:] {
		if err := apply(ctx, w, m, d); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, w *sqlx.DB, m Migration, d Dialect) error {
	tx, err := w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: migration %04d_%s: begin: %w", m.Version, m.Name, err)
	}
	defer tx.Rollback() // no-op after Commit
	if d.Lock != "" {
		if _, err := tx.ExecContext(ctx, d.Lock); err != nil {
			return fmt.Errorf("storage: migration %04d_%s: lock: %w", m.Version, m.Name, err)
		}
	}
	// Another process may have applied it since we read the version; the
	// lock makes this check and the change atomic.
	var seen int
	if err := tx.GetContext(ctx, &seen, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version); err != nil {
		return fmt.Errorf("storage: migration %04d_%s: %w", m.Version, m.Name, err)
	}
	if seen > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("storage: migration %04d_%s: %w", m.Version, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, time.Now().Unix()); err != nil {
		return fmt.Errorf("storage: migration %04d_%s: record: %w", m.Version, m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: migration %04d_%s: commit: %w", m.Version, m.Name, err)
	}
	return nil
}
