package postgres

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/gapd/gapd/storage/pgtest"
)

// What "acknowledged after commit" rests on: every connection commits
// synchronously whatever the server's default, and the pool is the size
// asked for.
func TestOpenSettings(t *testing.T) {
	url := pgtest.URL(t)
	if url == "" {
		t.Skip("runs in make test's PostgreSQL half")
	}
	e, err := Open(context.Background(), url+"&options=-c%20synchronous_commit%3Doff", Options{MaxConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var sync string
	if err := e.Read(context.Background(), func(tx *sqlx.Tx) error {
		return tx.Get(&sync, `SHOW synchronous_commit`)
	}); err != nil {
		t.Fatal(err)
	}
	if sync != "on" {
		t.Errorf("synchronous_commit = %q, want on", sync)
	}
	if got := e.pool.Config().MaxConns; got != 3 {
		t.Errorf("pool of %d connections, want 3", got)
	}
	if err := e.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}
