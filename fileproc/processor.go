// Package fileproc processes uploaded content in the background: it probes
// each completed file (image size and thumbnails, duration) and marks it
// PROCESSED, or CORRUPTED when its bytes are missing or damaged on disk.
// app owns the Processor (Start at start-up, Close at shutdown); handlers
// only Kick it after an upload commits.
package fileproc

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/storage"
)

// Options bound the work.
type Options struct {
	// Workers is how many files are processed at once, over all users.
	Workers int
	// PerUser is how many of those may work on one uploader's files, so
	// that one user's burst cannot stall everyone's.
	PerUser int
	// MaxImagePixels is the pixel budget: an image whose header declares
	// more keeps its width and height but gets no thumbnails.
	MaxImagePixels int64
}

// Defaults of Options.
const (
	DefaultWorkers        = 2
	DefaultPerUser        = 1
	DefaultMaxImagePixels = files.DefaultMaxPixels
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
	return o
}

// Processor runs the workers. The database is the queue: a worker takes
// the oldest content still in state PROCESSING, so content left there by a
// crash is picked up on the next start exactly like new content, and a
// Kick after an upload commits only wakes a worker early. A worker skips
// the content of an uploader who already has PerUser at work, so a user
// who uploads many images at once waits behind themselves only.
type Processor struct {
	db    *storage.DB
	store *files.Store
	log   *slog.Logger
	o     Options

	mu      sync.Mutex
	started bool
	closed  bool
	ctx     context.Context
	cancel  context.CancelFunc
	kick    chan struct{}
	wg      sync.WaitGroup
	// claimed holds content a worker is on, and content whose processing
	// failed in a way that would fail again (left for the next start
	// rather than retried in a loop).
	claimed map[storage.ContentID]bool
	// working counts the contents being processed per uploader.
	working map[storage.UserID]int
}

// New makes a processor over the database and the content store; log may
// be nil (slog.Default()).
func New(db *storage.DB, store *files.Store, log *slog.Logger, o Options) *Processor {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Processor{db: db, store: store, log: log, o: o.withDefaults(), ctx: ctx, cancel: cancel,
		kick: make(chan struct{}, 1), claimed: map[storage.ContentID]bool{}, working: map[storage.UserID]int{}}
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
	for range p.o.Workers {
		p.wg.Add(1)
		go p.loop()
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
// are on; content not yet done stays in state PROCESSING for the next
// start. The database must still be open. Closing twice is harmless.
func (p *Processor) Close() {
	p.mu.Lock()
	p.closed = true
	p.cancel()
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Processor) loop() {
	defer p.wg.Done()
	for p.ctx.Err() == nil {
		c, ok := p.claim()
		if !ok {
			select {
			case <-p.kick:
			case <-p.ctx.Done():
			}
			continue
		}
		err := p.process(p.ctx, c)
		p.release(c, err != nil)
		if err != nil {
			if p.ctx.Err() != nil {
				return // interrupted by Close: the next start does it again
			}
			// Stays claimed: not retried until the next start.
			p.log.Error("file processing", "content", c.ID, "err", err)
		}
		// Another worker may have passed over content of this uploader.
		p.Kick()
	}
}

// claim returns the oldest content in state PROCESSING that no worker has
// claimed and whose uploader has a worker to spare, and claims it. The
// lock is held across the read so that two workers cannot take the same
// content or overshoot an uploader's share.
func (p *Processor) claim() (storage.Content, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	claimed := make([]storage.ContentID, 0, len(p.claimed))
	for id := range p.claimed {
		claimed = append(claimed, id)
	}
	var busy []storage.UserID
	for u, n := range p.working {
		if n >= p.o.PerUser {
			busy = append(busy, u)
		}
	}
	var c storage.Content
	err := p.db.Read(p.ctx, func(tx *storage.Tx) (err error) {
		c, err = tx.NextProcessing(claimed, busy)
		return err
	})
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) && p.ctx.Err() == nil {
			p.log.Error("file processing: list", "err", err)
		}
		return storage.Content{}, false
	}
	p.claimed[c.ID] = true
	p.working[c.UploaderID]++
	return c, true
}

// release frees the worker that had content c; c stays claimed when its
// processing failed (keep).
func (p *Processor) release(c storage.Content, keep bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !keep {
		delete(p.claimed, c.ID)
	}
	if p.working[c.UploaderID]--; p.working[c.UploaderID] == 0 {
		delete(p.working, c.UploaderID)
	}
}

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
