package postgres

import (
	"context"
	"database/sql/driver"
	"strconv"
	"strings"
	"sync"
)

// gapd's queries are written once for both backends, with '?' placeholders
// and 0/1 integers for booleans. This database/sql connector sits between
// sqlx and pgx's own and turns them into what PostgreSQL takes: '?' becomes
// $1, $2, ... (and SQLite's ?NNN $NNN), SQLite's index hints (INDEXED BY
// name) go, since PostgreSQL's planner chooses by itself, and a Go bool
// argument becomes 0 or 1. Rewritten queries are kept, since the query set
// is small and fixed.

type connector struct{ inner driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{dc.(pgxConn)}, nil
}

func (c connector) Driver() driver.Driver { return c.inner.Driver() }

// pgxConn is what pgx's stdlib connection offers and conn passes on.
type pgxConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.NamedValueChecker
	driver.SessionResetter
}

type conn struct{ pgxConn }

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.pgxConn.Prepare(rebind(query))
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.pgxConn.PrepareContext(ctx, rebind(query))
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.pgxConn.ExecContext(ctx, rebind(query), ints(args))
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.pgxConn.QueryContext(ctx, rebind(query), ints(args))
}

// ints stores booleans as the schema does: 0/1 in an integer column.
func ints(args []driver.NamedValue) []driver.NamedValue {
	for i := range args {
		if b, ok := args[i].Value.(bool); ok {
			args[i].Value = int64(0)
			if b {
				args[i].Value = int64(1)
			}
		}
	}
	return args
}

var rebound sync.Map // query -> its PostgreSQL form

const indexedBy = "INDEXED BY "

// rebind numbers the '?' placeholders of query outside quoted text and
// comments. Migrations (many statements, no placeholders) pass unchanged.
func rebind(query string) string {
	if !strings.Contains(query, "?") && !strings.Contains(query, indexedBy) {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				j = len(query) - i - 1
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
			continue
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
			continue
		case c == 'I' && strings.HasPrefix(query[i:], indexedBy):
			// INDEXED BY name: skip the hint and its index's name.
			j := i + len(indexedBy)
			for j < len(query) && (query[j] == '_' || query[j] >= 'a' && query[j] <= 'z' || query[j] >= '0' && query[j] <= '9') {
				j++
			}
			i = j - 1
			continue
		case c == '?':
			// ?NNN names a parameter by number (SQLite's form), as $NNN.
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(query[i+1 : j])
				i = j - 1
			} else {
				n++
				b.WriteString(strconv.Itoa(n))
			}
			continue
		}
		b.WriteByte(c)
	}
	q := b.String()
	rebound.Store(query, q)
	return q
}
