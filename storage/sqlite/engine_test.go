package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

func pragma(t *testing.T, h interface {
	GetContext(context.Context, any, string, ...any) error
}, name string) string {
	t.Helper()
	var v string
	if err := h.GetContext(context.Background(), &v, "PRAGMA "+name); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestOpenSettings(t *testing.T) {
	db := openAt(t, t.TempDir(), Options{})
	for _, h := range []struct {
		name string
		db   interface {
			GetContext(context.Context, any, string, ...any) error
		}
	}{{"writer", db.w}, {"reader", db.r}} {
		if got := pragma(t, h.db, "journal_mode"); got != "wal" {
			t.Errorf("%s journal_mode = %q, want wal", h.name, got)
		}
		if got := pragma(t, h.db, "foreign_keys"); got != "1" {
			t.Errorf("%s foreign_keys = %q, want 1", h.name, got)
		}
		if got := pragma(t, h.db, "busy_timeout"); got != "5000" {
			t.Errorf("%s busy_timeout = %q, want 5000", h.name, got)
		}
	}
	if got := pragma(t, db.w, "synchronous"); got != "2" { // 2 = FULL
		t.Errorf("writer synchronous = %q, want 2 (FULL)", got)
	}
	if got := pragma(t, db.r, "query_only"); got != "1" {
		t.Errorf("reader query_only = %q, want 1", got)
	}
	if got := db.w.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", got)
	}
	if got, want := db.r.Stats().MaxOpenConnections, mustDefaults(t).Readers; got != want {
		t.Errorf("reader MaxOpenConnections = %d, want %d", got, want)
	}
}

func mustDefaults(t *testing.T) Options {
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOpenOptions(t *testing.T) {
	db := openAt(t, t.TempDir(), Options{Synchronous: "normal", BusyTimeout: 1500 * time.Millisecond, Readers: 3})
	if got := pragma(t, db.w, "synchronous"); got != "1" {
		t.Errorf("synchronous = %q, want 1 (NORMAL)", got)
	}
	if got := pragma(t, db.w, "busy_timeout"); got != "1500" {
		t.Errorf("busy_timeout = %q, want 1500", got)
	}
	if got := db.r.Stats().MaxOpenConnections; got != 3 {
		t.Errorf("readers = %d, want 3", got)
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{{Synchronous: "sometimes"}, {BusyTimeout: -time.Second}, {Readers: -1}} {
		if db, err := Open(context.Background(), t.TempDir(), o); err == nil {
			db.Close()
			t.Errorf("Open(%+v) succeeded, want an error", o)
		}
	}
}

// A directory that does not exist yet, with characters that would break a
// naively built URI, is created and used.
func TestOpenCreatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?x=1#frag%20", "data")
	db := openAt(t, dir, Options{})
	if err := db.Write(testCtx(t), func(_ context.Context, tx *sqlx.Tx) error { return createUserFn(1)(tx) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, dir, Options{})
	if !userExists(t, db, 1) {
		t.Fatal("user lost on reopen")
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatalf("database file not where expected: %v", err)
	}
}
