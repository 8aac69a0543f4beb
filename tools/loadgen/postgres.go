package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	natsserver "github.com/nats-io/nats-server/v2/server"
)

// The PostgreSQL half (-backends postgres): the chat and group scenarios on
// one gapd node and on two (two processes on one database, joined by a NATS
// server this process runs), beside a bare PostgreSQL insert loop, all on
// the server -postgres names. Each scenario gets a fresh database, and its
// users sign up there through the real flow.

// envPostgres is where tools/pgtmp puts its server's URL.
const envPostgres = "GAPD_TEST_POSTGRES"

// target is what a scenario drives: one gapd, or the nodes of a cluster.
type target struct {
	label string    // prefix of the scenario's name ("" for the SQLite gapd)
	nodes []*server // clients spread over them (chat: senders on the first, recipients on the second)
	pg    string    // with a PostgreSQL admin URL, that server's CPU is reported too
}

func (t target) urls() []string {
	u := make([]string, len(t.nodes))
	for i, s := range t.nodes {
		u[i] = s.url
	}
	return u
}

// measure is measureAll over t's nodes; on PostgreSQL the CPU cell adds the
// database server's CPU over f (its backends and background processes), and
// a line says what the server did meanwhile (commits, WAL flushes, WAL bytes).
func (t target) measure(f func() error) (cpu, peak string, err error) {
	if t.pg == "" {
		return measureAll(t.nodes, f)
	}
	before, berr := pgSnapshot(t.pg)
	start := time.Now()
	cpu, peak, err = measureAll(t.nodes, f)
	el := time.Since(start).Seconds()
	after, aerr := pgSnapshot(t.pg)
	if berr != nil || aerr != nil {
		return cpu + " + PostgreSQL n/a", peak, err
	}
	var used time.Duration
	for pid, c := range after.cpu {
		used += c - before.cpu[pid]
	}
	commits, syncs := after.commits-before.commits, after.walSyncs-before.walSyncs
	fmt.Printf("%sPostgreSQL over %.1fs: %d commits (%.0f/s), %d WAL syncs (%.0f/s, %.1f commits each), %.1f MB WAL (%.1f KB a commit), %d rows written, CPU %.1fs\n",
		t.label, el, commits, float64(commits)/el, syncs, float64(syncs)/el, float64(commits)/float64(max(syncs, 1)),
		float64(after.walBytes-before.walBytes)/(1<<20), float64(after.walBytes-before.walBytes)/1024/float64(max(commits, 1)),
		after.rows-before.rows, used.Seconds())
	return fmt.Sprintf("%s + PostgreSQL %.1fs", cpu, used.Seconds()), peak, err
}

// pgConnect connects to the server at admin, or to its database db.
func pgConnect(ctx context.Context, admin, db string) (*pgx.Conn, error) {
	u, err := url.Parse(admin)
	if err != nil {
		return nil, fmt.Errorf("-postgres: %w", err)
	}
	if db != "" {
		u.Path = "/" + db
	}
	return pgx.Connect(ctx, u.String())
}

// pgStats is what the PostgreSQL server has done so far.
type pgStats struct {
	cpu                map[int]time.Duration // by pid (from /proc: the server is on this machine)
	commits, rows      int64                 // over all databases
	walSyncs, walBytes int64
}

func pgSnapshot(admin string) (pgStats, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var st pgStats
	c, err := pgConnect(ctx, admin, "")
	if err != nil {
		return st, err
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT pid FROM pg_stat_activity`)
	if err != nil {
		return st, err
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return st, err
	}
	st.cpu = map[int]time.Duration{}
	for _, pid := range pids {
		if ps := readProc(int(pid)); ps.exists {
			st.cpu[int(pid)] = ps.cpu
		}
	}
	// Statistics are read in a snapshot of their own, not the one cached
	// for this transaction.
	if _, err := c.Exec(ctx, `SELECT pg_stat_clear_snapshot()`); err != nil {
		return st, err
	}
	err = c.QueryRow(ctx, `SELECT
		(SELECT COALESCE(SUM(xact_commit), 0)::bigint FROM pg_stat_database),
		(SELECT COALESCE(SUM(tup_inserted + tup_updated + tup_deleted), 0)::bigint FROM pg_stat_database),
		wal_sync, wal_bytes::bigint FROM pg_stat_wal`).Scan(&st.commits, &st.rows, &st.walSyncs, &st.walBytes)
	return st, err
}

// pgDatabase is a fresh database on the -postgres server, dropped by drop.
type pgDatabase struct {
	admin, name, url string
}

func newPGDatabase(admin, what string) (*pgDatabase, error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	d := &pgDatabase{admin: admin, name: "gapd_bench_" + what + "_" + hex.EncodeToString(b[:])}
	if err := d.admin1(`CREATE DATABASE ` + d.name); err != nil {
		return nil, err
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + d.name
	d.url = u.String()
	return d, nil
}

func (d *pgDatabase) drop() { _ = d.admin1(`DROP DATABASE IF EXISTS ` + d.name + ` WITH (FORCE)`) }

func (d *pgDatabase) admin1(stmt string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := pgConnect(ctx, d.admin, "")
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

// pgSettings are the server settings that decide what a commit costs.
func pgSettings(admin string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgConnect(ctx, admin, "")
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	var parts []string
	for _, name := range []string{"server_version", "fsync", "synchronous_commit", "wal_sync_method", "full_page_writes",
		"commit_delay", "wal_buffers", "shared_buffers", "max_connections"} {
		var v string
		if err := c.QueryRow(ctx, `SELECT current_setting($1)`, name).Scan(&v); err != nil {
			return "", err
		}
		parts = append(parts, name+"="+v)
	}
	return strings.Join(parts, " "), nil
}

// pgInsertLoop is the PostgreSQL storage reference: on one connection, one
// transaction per 1 KB row (BEGIN, INSERT, COMMIT, as gapd's writes are
// explicit transactions), synchronous_commit on, for d. Commits per second.
func pgInsertLoop(db *pgDatabase, d time.Duration) (float64, error) {
	ctx := context.Background()
	c, err := pgConnect(ctx, db.admin, db.name)
	if err != nil {
		return 0, err
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `SET synchronous_commit = on`); err != nil {
		return 0, err
	}
	if _, err := c.Exec(ctx, `CREATE TABLE m (id BIGSERIAL PRIMARY KEY, room BIGINT NOT NULL, body TEXT NOT NULL)`); err != nil {
		return 0, err
	}
	body := string(textOf(1024, 0))
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		tx, err := c.Begin(ctx)
		if err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO m (room, body) VALUES ($1, $2)`, n%1000, body); err != nil {
			_ = tx.Rollback(ctx)
			return 0, err
		}
		if err := tx.Commit(ctx); err != nil {
			return 0, err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// startNATS runs a NATS server in this process on a free loopback port.
func startNATS() (*natsserver.Server, error) {
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, err
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("NATS did not start")
	}
	return ns, nil
}

// pgNodes starts n gapd nodes on db, each with a data directory of its own
// (its securing key), joined through natsURL when there are several.
func (r *runner) pgNodes(db *pgDatabase, n int, natsURL string) ([]*server, error) {
	var nodes []*server
	for i := range n {
		name := fmt.Sprintf("n%d", i+1)
		args := append(gapdArgs(filepath.Join(r.cfg.work, db.name+"-"+name), filepath.Join(r.cfg.work, "codes.jsonl"), "none"),
			"-db", db.url, "-node", name)
		if n > 1 {
			args = append(args, "-nats", natsURL)
		}
		s, err := startProcess("gapd-pg-"+name, r.cfg.gapd, args, r.cfg.log)
		if err != nil {
			stopAll(nodes)
			return nil, err
		}
		nodes = append(nodes, s)
	}
	return nodes, nil
}

func stopAll(ss []*server) {
	for _, s := range ss {
		s.stop()
	}
}

// pgScenario makes a fresh database, signs up users there on one node, then
// runs fn on one node and on two.
func (r *runner) pgScenario(what string, users int, natsURL string, fn func(t target, users []user) error) error {
	db, err := newPGDatabase(r.cfg.postgres, what)
	if err != nil {
		return err
	}
	defer db.drop()
	nodes, err := r.pgNodes(db, 1, "")
	if err != nil {
		return err
	}
	start := time.Now()
	us, err := signUpMany(nodes[0].url, r.book, 0, users, 64)
	stopAll(nodes)
	if err != nil {
		return fmt.Errorf("sign-up: %w", err)
	}
	el := time.Since(start)
	fmt.Printf("postgres, %s: %d users signed up in %.1fs (%.0f/s) in database %s\n", what, users, el.Seconds(), float64(users)/el.Seconds(), db.name)
	for _, n := range []int{1, 2} {
		nodes, err := r.pgNodes(db, n, natsURL)
		if err != nil {
			return err
		}
		label := "postgres, 1 node: "
		if n > 1 {
			label = fmt.Sprintf("postgres, %d nodes: ", n)
		}
		err = fn(target{label: label, nodes: nodes, pg: r.cfg.postgres}, us)
		stopAll(nodes)
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) postgres() error {
	switch {
	case r.ext != nil:
		return errors.New("-backends postgres starts gapd nodes of its own; it cannot drive -addr")
	case r.cfg.postgres == "":
		return fmt.Errorf("-backends postgres needs -postgres URL or $%s (make bench-postgres starts a throw-away server)", envPostgres)
	}
	settings, err := pgSettings(r.cfg.postgres)
	if err != nil {
		return err
	}
	fmt.Printf("postgres: %s\n", settings)

	db, err := newPGDatabase(r.cfg.postgres, "bare")
	if err != nil {
		return err
	}
	commits, err := pgInsertLoop(db, min(r.cfg.d, 5*time.Second))
	db.drop()
	if err != nil {
		return fmt.Errorf("bare PostgreSQL: %w", err)
	}
	fmt.Printf("reference, bare PostgreSQL insert loop (pgx, one connection, synchronous_commit=on, one 1 KB row per commit): %.0f commits/s\n", commits)
	r.results = append(r.results, result{scenario: "ref: bare PostgreSQL, 1 KB row per commit, synchronous_commit=on, 1 connection",
		value: fmt.Sprintf("%.0f commits/s", commits)})

	ns, err := startNATS()
	if err != nil {
		return err
	}
	defer ns.Shutdown()
	if r.cfg.scenarios["chat"] {
		most := 0
		for _, n := range r.cfg.pairs {
			most = max(most, n)
		}
		err := r.pgScenario("chat", 2*most, ns.ClientURL(), func(t target, users []user) error {
			for _, n := range r.cfg.pairs {
				rate, err := r.chatPhases(t, users, n, reference{"bare PostgreSQL commits", "bare PostgreSQL", commits})
				if err != nil {
					return err
				}
				if sq := r.sqliteChat[n]; sq > 0 {
					fmt.Printf("%schat, %d pairs: %.2f of SQLite's %.0f msg/s\n", t.label, n, rate/sq, sq)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("chat: %w", err)
		}
	}
	if r.cfg.scenarios["group"] {
		n := r.cfg.group
		err := r.pgScenario("group", n+1, ns.ClientURL(), func(t target, users []user) error {
			_, err := r.groupPhase(t, users, n, reference{"SQLite", "SQLite", r.sqliteGroup})
			return err
		})
		if err != nil {
			return fmt.Errorf("group: %w", err)
		}
	}
	return nil
}
