// Package presence keeps users' ONLINE status true across nodes that die.
// A node marks a user OFFLINE when their last connection goes, but a node
// killed or cut off marks nobody: its users would stay ONLINE for ever. So
// every node of a cluster says it lives, in the database, every Interval,
// and marks OFFLINE the users left ONLINE by a node silent for Silent (and,
// at its start, by its own earlier run). The work itself is the handlers'
// (NodeAlive, SweepStranded).
package presence

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Sweeper is what the job drives; handlers.Handlers is one.
type Sweeper interface {
	NodeAlive(ctx context.Context) error
	SweepStranded(ctx context.Context, silentFor time.Duration, own bool) (int, error)
}

// Options tune the job; zero fields take the defaults.
type Options struct {
	Interval time.Duration // between rounds; default 10s
	Silent   time.Duration // a node silent this long is gone; default 1m (at least 3 Intervals)
}

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
	if o.Silent <= 0 {
		o.Silent = time.Minute
	}
	o.Silent = max(o.Silent, 3*o.Interval)
	return o
}

// Job runs a round at Start and every Interval until Close.
type Job struct {
	s      Sweeper
	log    *slog.Logger
	o      Options
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Start starts the job; log may be nil (slog.Default()).
func Start(s Sweeper, log *slog.Logger, o Options) *Job {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &Job{s: s, log: log, o: o.withDefaults(), cancel: cancel}
	j.wg.Add(1)
	go j.loop(ctx)
	return j
}

// Close stops the job and waits for a round under way. Closing twice is
// harmless.
func (j *Job) Close() {
	j.cancel()
	j.wg.Wait()
}

func (j *Job) loop(ctx context.Context) {
	defer j.wg.Done()
	t := time.NewTicker(j.o.Interval)
	defer t.Stop()
	for own := true; ; own = false {
		j.round(ctx, own)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (j *Job) round(ctx context.Context, own bool) {
	if err := j.s.NodeAlive(ctx); err != nil && ctx.Err() == nil {
		j.log.Warn("presence: recording this node alive failed; the next round retries", "err", err)
	}
	n, err := j.s.SweepStranded(ctx, j.o.Silent, own)
	if err != nil && ctx.Err() == nil {
		j.log.Warn("presence: sweeping the users of gone nodes failed; the next round retries", "err", err)
	}
	if n > 0 {
		j.log.Info("presence: users left online by gone nodes looked at", "users", n)
	}
}
