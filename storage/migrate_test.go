package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gapd/gapd/storage/migrate"
	"github.com/gapd/gapd/storage/postgres"
	"github.com/gapd/gapd/storage/sqlite"
)

type appliedRow struct {
	Version   int    `db:"version"`
	Name      string `db:"name"`
	AppliedAt int64  `db:"applied_at"`
}

func applied(t *testing.T, db *DB) []appliedRow {
	t.Helper()
	var rows []appliedRow
	read(t, db, func(tx *Tx) error {
		return tx.tx.Select(&rows, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	})
	return rows
}

// backendMigrations are the migrations of the backend db runs on.
func backendMigrations(t *testing.T, db *DB) []migrate.Migration {
	t.Helper()
	load := sqlite.Migrations
	if db.Backend() == "postgres" {
		load = postgres.Migrations
	}
	ms, err := load()
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestEmbeddedMigrationsApplied(t *testing.T) {
	db := openTest(t)
	ms := backendMigrations(t, db)
	rows := applied(t, db)
	if len(rows) != len(ms) {
		t.Fatalf("%d migrations recorded, want %d", len(rows), len(ms))
	}
	for i, m := range ms {
		if rows[i].Version != m.Version || rows[i].Name != m.Name || rows[i].AppliedAt == 0 {
			t.Errorf("row %d = %+v, want version %d name %s", i, rows[i], m.Version, m.Name)
		}
	}
	read(t, db, func(tx *Tx) error {
		for _, table := range []string{"users", "verify_codes", "code_sends", "sessions"} {
			var n int
			if err := tx.tx.Get(&n, `SELECT COUNT(*) FROM `+table); err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
		return nil
	})
}

func TestReopenDoesNotMigrateAgain(t *testing.T) {
	dir, opts := t.TempDir(), testOptions(t)
	db := openAt(t, dir, opts)
	before := applied(t, db)
	db.Close()
	db = openAt(t, dir, opts)
	after := applied(t, db)
	if len(before) != len(after) {
		t.Fatalf("migrations recorded: %d before reopen, %d after", len(before), len(after))
	}
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("row %d changed on reopen: %+v -> %+v", i, before[i], after[i])
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir, opts := t.TempDir(), testOptions(t)
	db := openAt(t, dir, opts)
	future := len(backendMigrations(t, db)) + 1
	write(t, db, func(tx *Tx) error {
		_, err := tx.tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future', 1)`, future)
		return err
	})
	db.Close()
	db2, err := Open(context.Background(), dir, opts)
	if err == nil {
		db2.Close()
		t.Fatal("Open accepted a database from a newer gapd")
	}
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), fmt.Sprintf("version %d", future)) {
		t.Fatalf("got %v, want ErrSchemaTooNew naming version %d", err, future)
	}
}

// The two backends' schemas have the same tables and columns, so the same
// queries run on both: the PostgreSQL run compares against SQLite's, opened
// beside it.
func TestBackendsHaveOneSchema(t *testing.T) {
	db := openTest(t)
	if db.Backend() == "sqlite" {
		t.Skip("compared in the PostgreSQL run")
	}
	got := columns(t, db, `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`)
	want := columns(t, openAt(t, t.TempDir(), Options{Synchronous: "OFF"}), `SELECT m.name || '.' || p.name
		FROM sqlite_schema m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT IN ('schema_migrations', 'sqlite_sequence')`)
	if len(want) < 100 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("schemas differ:\npostgres: %v\nsqlite:   %v", got, want)
	}
}

func columns(t *testing.T, db *DB, q string) []string {
	t.Helper()
	var cols []string
	read(t, db, func(tx *Tx) error { return tx.tx.Select(&cols, q) })
	sort.Strings(cols)
	return cols
}

// Nodes that start together on an empty database both come up, and every
// step is applied once.
func TestNodesStartingTogetherMigrateOnce(t *testing.T) {
	dir, opts := t.TempDir(), testOptions(t)
	const nodes = 3
	errs := make(chan error, nodes)
	dbs := make(chan *DB, nodes)
	for range nodes {
		go func() {
			db, err := Open(context.Background(), dir, opts)
			if err == nil {
				dbs <- db
			}
			errs <- err
		}()
	}
	for range nodes {
		if err := <-errs; err != nil {
			t.Fatalf("a node did not start: %v", err)
		}
	}
	db := <-dbs
	defer db.Close()
	for range nodes - 1 {
		(<-dbs).Close()
	}
	if rows, want := applied(t, db), backendMigrations(t, db); len(rows) != len(want) {
		t.Fatalf("%d steps recorded, want %d", len(rows), len(want))
	}
}
