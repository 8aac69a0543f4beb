// Package pgtest gives each test a database of its own on the throw-away
// PostgreSQL server that `make test` starts (tools/pgtmp), so the storage and
// end-to-end suites run unchanged on both backends. Outside that run, with no
// server named, tests use SQLite.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvServer names the server: a postgres:// URL of a role that may create
// databases. tools/pgtmp sets it.
const EnvServer = "GAPD_TEST_POSTGRES"

// Server is the server URL tests run against, or "" for SQLite.
func Server() string { return os.Getenv(EnvServer) }

var (
	mu     sync.Mutex
	byTest = map[testing.TB]string{}
)

// URL creates a fresh, empty database for t and returns its URL, dropping it
// when t ends; "" when no server is named (the test runs on SQLite). Asked
// again in the same test it returns the same database, as a server restarted
// on its data (or a second node) would find it.
func URL(t testing.TB) string {
	t.Helper()
	server := Server()
	if server == "" {
		return ""
	}
	mu.Lock()
	defer mu.Unlock()
	if u, ok := byTest[t]; ok {
		return u
	}
	u := Fresh(t)
	byTest[t] = u
	t.Cleanup(func() {
		mu.Lock()
		delete(byTest, t)
		mu.Unlock()
	})
	return u
}

// Fresh is URL without the sharing: a new database at every call, as a
// second server of the test with a data directory of its own would have.
func Fresh(t testing.TB) string {
	t.Helper()
	server := Server()
	if server == "" {
		return ""
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "gapd_test_" + hex.EncodeToString(b[:])
	admin(t, server, `CREATE DATABASE `+name)
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", EnvServer, err)
	}
	u.Path = "/" + name
	t.Cleanup(func() { admin(t, server, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) })
	return u.String()
}

func admin(t testing.TB, server, stmt string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("pgtest: connect %s: %v", EnvServer, err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, stmt); err != nil {
		t.Fatalf("pgtest: %s: %v", stmt, err)
	}
}
