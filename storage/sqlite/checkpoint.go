package sqlite

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// The WAL is copied into the database file (checkpointed) by a connection of
// its own rather than by the writer: SQLite's automatic checkpoint runs
// inside the commit that crosses its threshold, so every few batches one
// request waited for a copy of thousands of pages and an fsync of the
// database. Here the writer only appends to the WAL; the checkpointer,
// woken by writes and at most once per checkpointInterval, copies what has
// accumulated (a page written by many commits is copied once). A commit is
// durable once it is in the synced WAL either way.

const (
	// checkpointInterval spaces background checkpoints while writes go on.
	checkpointInterval = 250 * time.Millisecond
	// writerCheckpointPages is the writer's own automatic checkpoint, a
	// safety net that bounds the WAL (about 40 MB) should the background
	// checkpointer fall behind.
	writerCheckpointPages = 10000
)

type checkpointer struct {
	db       *sqlx.DB // one read-write connection
	kick     chan struct{}
	quit     chan struct{}
	quitOnce sync.Once
	done     chan struct{}
}

func openCheckpointer(ctx context.Context, path string, opts Options) (*checkpointer, error) {
	q := commonParams(opts)
	q.Set("mode", "rw")
	q.Set("_synchronous", opts.Synchronous) // the checkpoint syncs the database file as the writer would
	db, err := sqlx.Open(driverName, dsn(path, q))
	if err != nil {
		return nil, fmt.Errorf("storage: open checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: open checkpointer %s: %w", path, err)
	}
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

// wrote tells the checkpointer that the WAL has grown. It never blocks.
func (c *checkpointer) wrote() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	timer := time.NewTimer(checkpointInterval)
	defer timer.Stop()
	for {
		select {
		case <-c.kick:
		case <-c.quit:
			return
		}
		// Let the WAL gather commits first: that is where the copying is
		// saved.
		timer.Reset(checkpointInterval)
		select {
		case <-timer.C:
		case <-c.quit:
			return
		}
		// PASSIVE never waits for readers or the writer; what it cannot
		// copy now is copied next time.
		if _, err := c.db.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
			slog.Warn("storage: background checkpoint failed", "err", err)
		}
	}
}

// close stops the loop and closes the connection; again, it does nothing.
func (c *checkpointer) close() (err error) {
	c.quitOnce.Do(func() {
		close(c.quit)
		<-c.done
		err = c.db.Close()
	})
	return err
}
