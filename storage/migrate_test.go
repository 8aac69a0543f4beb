package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

type appliedRow struct {
	Version   int    `db:"version"`
	Name      string `db:"name"`
	AppliedAt int64  `db:"applied_at"`
}

func applied(t *testing.T, db *DB) []appliedRow {
	t.Helper()
	var rows []appliedRow
	if err := db.r.Select(&rows, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestEmbeddedMigrationsApplied(t *testing.T) {
	db := openTest(t)
	ms, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	rows := applied(t, db)
	if len(rows) != len(ms) {
		t.Fatalf("%d migrations recorded, want %d", len(rows), len(ms))
	}
	for i, m := range ms {
		if rows[i].Version != m.version || rows[i].Name != m.name || rows[i].AppliedAt == 0 {
			t.Errorf("row %d = %+v, want version %d name %s", i, rows[i], m.version, m.name)
		}
	}
	for _, table := range []string{"users", "verify_codes", "code_sends", "sessions"} {
		var n int
		if err := db.r.Get(&n, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table); err != nil || n != 1 {
			t.Errorf("table %s: n=%d err=%v", table, n, err)
		}
	}
}

func TestReopenDoesNotMigrateAgain(t *testing.T) {
	dir := t.TempDir()
	db := openAt(t, dir, Options{})
	before := applied(t, db)
	db.Close()
	db = openAt(t, dir, Options{})
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
	dir := t.TempDir()
	db := openAt(t, dir, Options{})
	ms, _ := embeddedMigrations()
	future := len(ms) + 1
	if _, err := db.w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future', 1)`, future); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, err := Open(context.Background(), dir, Options{})
	if err == nil {
		db2.Close()
		t.Fatal("Open accepted a database from a newer gapd")
	}
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("got %v, want ErrSchemaTooNew", err)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("version %d", future)) || !strings.Contains(err.Error(), fmt.Sprintf("up to %d", len(ms))) {
		t.Errorf("error does not name both versions: %v", err)
	}
}

// Each migration is its own transaction: a failing one leaves the earlier
// ones applied and nothing of itself; fixed, it applies on the next run.
func TestFailedMigrationRollsBack(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	base, _ := embeddedMigrations()
	n := len(base)
	good := migration{version: n + 1, name: "add_a", sql: `CREATE TABLE a (x INTEGER)`}
	bad := migration{version: n + 2, name: "add_b", sql: `CREATE TABLE b (x INTEGER); THIS IS NOT SQL`}
	err := migrate(ctx, db.w, append(append([]migration{}, base...), good, bad))
	if err == nil || !strings.Contains(err.Error(), "add_b") {
		t.Fatalf("migrate with a broken step: %v, want an error naming it", err)
	}
	tables := func() string {
		var names []string
		if err := db.w.Select(&names, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('a', 'b') ORDER BY name`); err != nil {
			t.Fatal(err)
		}
		return strings.Join(names, ",")
	}
	if got := tables(); got != "a" {
		t.Fatalf("tables after failure = %q, want just a", got)
	}
	if rows := applied(t, db); len(rows) != n+1 {
		t.Fatalf("%d migrations recorded after failure, want %d", len(rows), n+1)
	}
	bad.sql = `CREATE TABLE b (x INTEGER)`
	if err := migrate(ctx, db.w, append(append([]migration{}, base...), good, bad)); err != nil {
		t.Fatal(err)
	}
	if got := tables(); got != "a,b" {
		t.Fatalf("tables after fix = %q, want a,b", got)
	}
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	ms, err := loadMigrations(fstest.MapFS{
		"0002_second.sql": file("B"),
		"0001_first.sql":  file("A"),
		"README.md":       file("ignored"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].version != 1 || ms[0].name != "first" || ms[0].sql != "A" || ms[1].name != "second" {
		t.Fatalf("loaded %+v", ms)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":       {"0001_a.sql": file(""), "0003_c.sql": file("")},
		"duplicate": {"0001_a.sql": file(""), "0001_b.sql": file("")},
		"no number": {"first.sql": file("")},
		"no name":   {"0001.sql": file("")},
		"zero":      {"0000_zero.sql": file("")},
		"empty":     {},
	} {
		if _, err := loadMigrations(fsys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
