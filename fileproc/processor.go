// Package fileproc processes uploaded content in the background: it probes
// each completed file (image size and thumbnails, duration) and marks it
// PROCESSED, or CORRUPTED when its bytes are missing or damaged on disk.
// app owns the Processor (Start at start-up, Close at shutdown); handlers
// only Kick it after an upload commits.
package fileproc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/storage"
)

// Options bound the work.
type Options struct {
	// Workers is how many files this node processes at once, over all
	// users.
	Workers int
	// PerUser is how many of one uploader's files may be processed at once
	// over every node sharing the database, so that one user's burst cannot
	// stall everyone's.
	PerUser int
	// MaxImagePixels is the pixel budget: an image whose header declares
	// more keeps its width and height but gets no thumbnails.
	MaxImagePixels int64
	// Node names this node in the database's claims (-node), beside a
	// random part that tells its runs apart. Empty: "gapd".
	Node string
	// Lease is how long a claim on content lasts unless renewed; workers
	// renew it every third of it while they work. Content whose worker
	// stopped renewing (its node crashed) is taken again after it.
	Lease time.Duration
	// Poll is how often an idle worker looks for content without being
	// kicked: uploads that finished on other nodes, leases that ran out.
	Poll time.Duration
	// Retry is how long content whose processing failed (in a way that
	// would fail again at once: the database refused, a thumbnail could not
	// be written) waits before any node tries it again.
	Retry time.Duration
}

// Defaults of Options.
const (
	DefaultWorkers        = 2
	DefaultPerUser        = 1
	DefaultMaxImagePixels = files.DefaultMaxPixels
	DefaultLease          = time.Minute
	DefaultPoll           = 10 * time.Second
	DefaultRetry          = 10 * time.Minute
)

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.PerUser <= 0 {
		o.PerUser = DefaultPerUser
	}
	if o.MaxImagePixels <= 0 {
		o.MaxImagePixels = DefaultMaxImagePixels
	}
	if o.Node == "" {
		o.Node = "gapd"
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.Retry <= 0 {
		o.Retry = DefaultRetry
	}
	return o
}

// Processor runs the workers. The database is the queue and the lock:
// a worker claims the oldest content still in state PROCESSING that no
// live lease holds (storage.ClaimProcessing), so of all the nodes sharing
// the database exactly one processes each content, content left there by
// a crash is taken again once its lease runs out, and a Kick after an
// upload commits only wakes a worker early. A worker passes over the
// content of an uploader who already has PerUser at work on any node, so
// a user who uploads many images at once waits behind themselves only.
type Processor struct {
	db    *storage.DB
	store *files.Store
	log   *slog.Logger
	o     Options
	// id is this run's name in the claims; each worker adds its number.
	id string

	mu      sync.Mutex
	started bool
	closed  bool
	ctx     context.Context
	cancel  context.CancelFunc
	kick    chan struct{}
	wg      sync.WaitGroup
}

// New makes a processor over the database and the content store; log may
// be nil (slog.Default()).
func New(db *storage.DB, store *files.Store, log *slog.Logger, o Options) *Processor {
	if log == nil {
		log = slog.Default()
	}
	o = o.withDefaults()
	var run [6]byte
	_, _ = rand.Read(run[:]) // never fails (crypto/rand)
	ctx, cancel := context.WithCancel(context.Background())
	return &Processor{db: db, store: store, log: log, o: o, id: o.Node + "/" + hex.EncodeToString(run[:]),
		ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1)}
}

// Start starts the workers, which first finish content left in state
// PROCESSING by an earlier run. Starting twice, or after Close, does
// nothing.
func (p *Processor) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started || p.closed {
		return
	}
	p.started = true
	for i := range p.o.Workers {
		p.wg.Add(1)
		go p.loop(p.id + "/" + strconv.Itoa(i))
	}
}

// Kick tells the workers that content is waiting, after the transaction
// that recorded it has committed. It never blocks.
func (p *Processor) Kick() {
	select {
	case p.kick <- struct{}{}:
	default: // a kick is already pending: a worker will look again
	}
}

// Close stops the workers and waits for them to finish the content they
// are on; content not yet done is released for another node, or the next
// start, to take at once. The database must still be open. Closing twice
// is harmless.
func (p *Processor) Close() {
	p.mu.Lock()
	p.closed = true
	p.cancel()
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Processor) loop(worker string) {
	defer p.wg.Done()
	for p.ctx.Err() == nil {
		c, ok := p.claim(worker)
		if !ok {
			select {
			case <-p.kick:
			case <-time.After(p.o.Poll):
			case <-p.ctx.Done():
			}
			continue
		}
		switch err := p.processLeased(worker, c); {
		case err == nil:
		case errors.Is(err, errLeaseLost):
			// Another worker has it, or it is no longer waiting.
			p.log.Warn("file processing stopped", "content", c.ID, "err", err)
		case p.ctx.Err() != nil:
			p.release(worker, c, time.Time{}) // interrupted by Close: anyone may take it at once
		default:
			p.log.Error("file processing", "content", c.ID, "err", err, "retry_in", p.o.Retry)
			p.release(worker, c, time.Now().Add(p.o.Retry))
		}
		// Another worker may have passed over content of this uploader.
		p.Kick()
	}
}

// claim takes the oldest content in state PROCESSING that no live lease
// holds and whose uploader has a worker to spare, for worker.
func (p *Processor) claim(worker string) (storage.Content, bool) {
	now := time.Now()
	var c storage.Content
	err := p.db.Write(p.ctx, func(tx *storage.Tx) (err error) {
		c, err = tx.ClaimProcessing(worker, now.UnixMilli(), now.Add(p.o.Lease).UnixMilli(), p.o.PerUser)
		return err
	})
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) && p.ctx.Err() == nil {
			p.log.Error("file processing: claim", "err", err)
		}
		return storage.Content{}, false
	}
	return c, true
}

// release gives up worker's claim on content c that it did not finish:
// it may be taken again after retry (zero: at once). It runs after Close
// too, so it does not use the processor's context.
func (p *Processor) release(worker string, c storage.Content, retry time.Time) {
	var at int64
	if !retry.IsZero() {
		at = retry.UnixMilli()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.db.Write(ctx, func(tx *storage.Tx) error { return tx.ReleaseProcessing(c.ID, worker, at) }); err != nil {
		// The lease runs out by itself.
		p.log.Warn("file processing: release", "content", c.ID, "err", err)
	}
}

// processLeased processes content c while renewing worker's lease on it.
// Losing the lease (renewing it failed until it ran out, and another worker
// may have taken it) stops the processing: the other worker does it.
func (p *Processor) processLeased(worker string, c storage.Content) error {
	ctx, cancel := context.WithCancelCause(p.ctx)
	defer cancel(nil)
	done := make(chan struct{})
	var renewing sync.WaitGroup
	renewing.Add(1)
	go func() {
		defer renewing.Done()
		t := time.NewTicker(p.o.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			until := time.Now().Add(p.o.Lease)
			err := p.db.Write(ctx, func(tx *storage.Tx) error { return tx.RenewProcessing(c.ID, worker, until.UnixMilli()) })
			if errors.Is(err, storage.ErrNotFound) {
				cancel(errLeaseLost)
				return
			}
			if err != nil && ctx.Err() == nil {
				p.log.Warn("file processing: renew lease", "content", c.ID, "err", err)
			}
		}
	}()
	err := p.process(ctx, c)
	// Stopped before the caller releases the claim or Close lets the
	// database close.
	close(done)
	renewing.Wait()
	if cause := context.Cause(ctx); errors.Is(cause, errLeaseLost) {
		return cause
	}
	if err == nil {
		p.log.Debug("file processed", "content", c.ID, "worker", worker)
	}
	return err
}

// errLeaseLost: a worker's claim on content ran out and it stopped.
var errLeaseLost = errors.New("file processing: the lease on the content ran out")

// process probes content, stores its thumbnails and records what it
// learnt. Content whose bytes are missing, cut short or unreadable is marked
// CORRUPTED, which tells its uploader to send it again; content that is
// readable but not understood ends PROCESSED without media facts.
func (p *Processor) process(ctx context.Context, c storage.Content) error {
	ok, err := p.store.Intact(c.Hash, c.Size)
	var m files.Media
	if err == nil && ok {
		m, err = files.Probe(p.store.ContentPath(c.Hash, ""), p.o.MaxImagePixels)
	}
	if err != nil || !ok {
		p.log.Warn("file processing: content damaged on disk", "content", c.ID, "err", err)
		return p.db.Write(ctx, func(tx *storage.Tx) error { return tx.SetCorrupted(c.ID) })
	}
	done := storage.Content{ID: c.ID, Width: int32(m.Width), Height: int32(m.Height), Duration: m.Duration}
	// Thumbnails are in place before the row says they exist.
	if t := m.Small; t != nil {
		if err := p.store.WriteThumbnail(c.Hash, files.Small, t.Data); err != nil {
			return err
		}
		done.SmallSize, done.SmallWidth, done.SmallHeight = int64(len(t.Data)), int32(t.Width), int32(t.Height)
	}
	if t := m.Large; t != nil {
		if err := p.store.WriteThumbnail(c.Hash, files.Large, t.Data); err != nil {
			return err
		}
		done.LargeSize, done.LargeWidth, done.LargeHeight = int64(len(t.Data)), int32(t.Width), int32(t.Height)
	}
	return p.db.Write(ctx, func(tx *storage.Tx) error { return tx.SetProcessed(done) })
}
