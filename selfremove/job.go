// Package selfremove deletes, in the background, the accounts whose users
// chose (UserProfileSetSelfRemove) to have them deleted after some months
// without a login. The deleting itself is the handlers' (RemoveInactive,
// the same code as UserDelete), each account claimed in the database first,
// so any number of nodes may run the job on one database.
package selfremove

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Remover deletes up to limit accounts whose period has passed and says
// how many it deleted; handlers.Handlers is one.
type Remover interface {
	RemoveInactive(ctx context.Context, limit int) (int, error)
}

// Options tune the job; zero fields take the defaults.
type Options struct {
	Interval time.Duration // between sweeps; default 1h
	Batch    int           // accounts per round of a sweep; default 100
}

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = time.Hour
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
	return o
}

// Job sweeps every Interval, starting at Start.
type Job struct {
	r      Remover
	log    *slog.Logger
	o      Options
	mu     sync.Mutex
	runMu  sync.Mutex // one sweep at a time (the timer's and RunOnce)
	start  bool
	closed bool
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New makes a job over r; log may be nil (slog.Default()).
func New(r Remover, log *slog.Logger, o Options) *Job {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Job{r: r, log: log, o: o.withDefaults(), ctx: ctx, cancel: cancel}
}

// Start runs a sweep now and then every Interval. Starting twice, or after
// Close, does nothing.
func (j *Job) Start() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.start || j.closed {
		return
	}
	j.start = true
	j.wg.Add(1)
	go j.loop()
}

// Close stops the job and waits for a sweep under way to finish its
// current account. The database must still be open. Closing twice is
// harmless.
func (j *Job) Close() {
	j.mu.Lock()
	j.closed = true
	j.cancel()
	j.mu.Unlock()
	j.wg.Wait()
}

func (j *Job) loop() {
	defer j.wg.Done()
	t := time.NewTicker(j.o.Interval)
	defer t.Stop()
	for {
		if _, err := j.RunOnce(j.ctx); err != nil && j.ctx.Err() == nil {
			j.log.Error("self-removal sweep failed; the next one retries", "err", err)
		}
		select {
		case <-j.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce sweeps until no account is due, and returns how many it deleted.
func (j *Job) RunOnce(ctx context.Context) (int, error) {
	j.runMu.Lock()
	defer j.runMu.Unlock()
	total := 0
	for ctx.Err() == nil {
		n, err := j.r.RemoveInactive(ctx, j.o.Batch)
		total += n
		if err != nil || n < j.o.Batch {
			return total, err
		}
	}
	return total, ctx.Err()
}
