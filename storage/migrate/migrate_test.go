package migrate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3"
)

var plain = Dialect{CreateTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`}

func openPlain(t *testing.T) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("sqlite3", "file:"+t.TempDir()+"/m.db")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func recorded(t *testing.T, db *sqlx.DB) int {
	t.Helper()
	var n int
	if err := db.Get(&n, `SELECT COUNT(*) FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	return n
}

// Each migration is its own transaction: a failing one leaves the earlier
// ones applied and nothing of itself; fixed, it applies on the next run.
func TestFailedMigrationRollsBack(t *testing.T) {
	db := openPlain(t)
	ctx := context.Background()
	good := Migration{Version: 1, Name: "add_a", SQL: `CREATE TABLE a (x INTEGER)`}
	bad := Migration{Version: 2, Name: "add_b", SQL: `CREATE TABLE b (x INTEGER); THIS IS NOT SQL`}
	err := Run(ctx, db, []Migration{good, bad}, plain)
	if err == nil || !strings.Contains(err.Error(), "add_b") {
		t.Fatalf("migrate with a broken step: %v, want an error naming it", err)
	}
	tables := func() string {
		var names []string
		if err := db.Select(&names, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('a', 'b') ORDER BY name`); err != nil {
			t.Fatal(err)
		}
		return strings.Join(names, ",")
	}
	if got := tables(); got != "a" {
		t.Fatalf("tables after failure = %q, want just a", got)
	}
	if n := recorded(t, db); n != 1 {
		t.Fatalf("%d migrations recorded after failure, want 1", n)
	}
	bad.SQL = `CREATE TABLE b (x INTEGER)`
	if err := Run(ctx, db, []Migration{good, bad}, plain); err != nil {
		t.Fatal(err)
	}
	if got := tables(); got != "a,b" {
		t.Fatalf("tables after fix = %q, want a,b", got)
	}
	if err := Run(ctx, db, []Migration{good, bad}, plain); err != nil || recorded(t, db) != 2 {
		t.Fatalf("a second run: err=%v, recorded %d, want nothing new", err, recorded(t, db))
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	db := openPlain(t)
	ctx := context.Background()
	one := Migration{Version: 1, Name: "one", SQL: `CREATE TABLE a (x INTEGER)`}
	two := Migration{Version: 2, Name: "two", SQL: `CREATE TABLE b (x INTEGER)`}
	if err := Run(ctx, db, []Migration{one, two}, plain); err != nil {
		t.Fatal(err)
	}
	err := Run(ctx, db, []Migration{one}, plain)
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), "version 2") || !strings.Contains(err.Error(), "up to 1") {
		t.Fatalf("got %v, want ErrSchemaTooNew naming both versions", err)
	}
}

func TestLoad(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	ms, err := Load(fstest.MapFS{
		"0002_second.sql": file("B"),
		"0001_first.sql":  file("A"),
		"README.md":       file("ignored"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[0].Name != "first" || ms[0].SQL != "A" || ms[1].Name != "second" {
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
		if _, err := Load(fsys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
