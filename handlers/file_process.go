package handlers

import (
	"context"
	"errors"
	"sync"

	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/storage"
)

// processing runs the workers that probe completed content (image size,
// thumbnails, duration) and mark it PROCESSED. The database is the queue:
// a worker takes the oldest content still in state PROCESSING, so content
// left there by a crash is picked up on the next start exactly like new
// content, and a kick after an upload commits only wakes a worker early.
// The number of workers bounds processing over all users; a worker skips
// the content of an uploader who already has WorkersPerUser at work, so a
// user who uploads many images at once waits behind themselves only.
type processing struct {
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
	claimed map[int64]bool
	// working counts the contents being processed per uploader.
	working map[int64]int
}

// StartFileProcessing starts the processing workers, which first finish
// content left in state PROCESSING by an earlier run. Uploads start them
// too if nobody has; Close stops them.
func (h *Handlers) StartFileProcessing() {
	p := &h.files.rt.proc
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started || p.closed {
		return
	}
	p.started = true
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.kick = make(chan struct{}, 1)
	p.claimed = map[int64]bool{}
	p.working = map[int64]int{}
	for range h.files.Workers {
		p.wg.Add(1)
		go h.processLoop(p)
	}
}

// Close stops file processing and waits for the workers to finish the
// content they are on; content not yet done stays in state PROCESSING for
// the next start. The server must have stopped calling the handlers, and
// the database must still be open.
func (h *Handlers) Close() {
	p := &h.files.rt.proc
	p.mu.Lock()
	p.closed = true
	if p.started {
		p.cancel()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// kickProcessing tells the workers that content is waiting, after the
// transaction that recorded it has committed.
func (h *Handlers) kickProcessing() {
	h.StartFileProcessing()
	p := &h.files.rt.proc
	select {
	case p.kick <- struct{}{}:
	default: // a kick is already pending: a worker will look again
	}
}

func (h *Handlers) processLoop(p *processing) {
	defer p.wg.Done()
	for p.ctx.Err() == nil {
		c, ok := h.claimContent(p)
		if !ok {
			select {
			case <-p.kick:
			case <-p.ctx.Done():
			}
			continue
		}
		err := h.processContent(p.ctx, c)
		p.mu.Lock()
		if p.working[c.UploaderID]--; p.working[c.UploaderID] == 0 {
			delete(p.working, c.UploaderID)
		}
		if err == nil {
			delete(p.claimed, c.ID)
		}
		p.mu.Unlock()
		if err != nil {
			if p.ctx.Err() != nil {
				return // interrupted by Close: the next start does it again
			}
			// Stays claimed: not retried until the next start.
			h.log.Error("file processing", "content", c.ID, "err", err)
		}
		// Another worker may have passed over content of this uploader.
		select {
		case p.kick <- struct{}{}:
		default:
		}
	}
}

// claimContent returns the oldest content in state PROCESSING that no
// worker has claimed and whose uploader has a worker to spare, and claims
// it. The lock is held across the read so that two workers cannot take
// the same content or overshoot an uploader's share.
func (h *Handlers) claimContent(p *processing) (storage.Content, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	claimed := make([]int64, 0, len(p.claimed))
	for id := range p.claimed {
		claimed = append(claimed, id)
	}
	var busy []int64
	for u, n := range p.working {
		if n >= h.files.WorkersPerUser {
			busy = append(busy, u)
		}
	}
	var c storage.Content
	err := h.db.Read(p.ctx, func(tx *storage.Tx) (err error) {
		c, err = tx.NextProcessing(claimed, busy)
		return err
	})
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) && p.ctx.Err() == nil {
			h.log.Error("file processing: list", "err", err)
		}
		return storage.Content{}, false
	}
	p.claimed[c.ID] = true
	p.working[c.UploaderID]++
	return c, true
}

// processContent probes content, stores its thumbnails and records what it
// learnt. Content whose bytes are missing, cut short or unreadable is marked
// CORRUPTED, which tells its uploader to send it again; content that is
// readable but not understood ends PROCESSED without media facts.
func (h *Handlers) processContent(ctx context.Context, c storage.Content) error {
	store, err := h.fileStore()
	if err != nil {
		return err
	}
	ok, err := store.Intact(c.Hash, c.Size)
	var m files.Media
	if err == nil && ok {
		m, err = files.Probe(store.ContentPath(c.Hash, ""), h.files.MaxImagePixels)
	}
	if err != nil || !ok {
		h.log.Warn("file processing: content damaged on disk", "content", c.ID, "err", err)
		return h.db.Write(ctx, func(tx *storage.Tx) error { return tx.SetCorrupted(c.ID) })
	}
	done := storage.Content{ID: c.ID, Width: int32(m.Width), Height: int32(m.Height), Duration: m.Duration}
	// Thumbnails are in place before the row says they exist.
	if t := m.Small; t != nil {
		if err := store.WriteThumbnail(c.Hash, files.Small, t.Data); err != nil {
			return err
		}
		done.SmallSize, done.SmallWidth, done.SmallHeight = int64(len(t.Data)), int32(t.Width), int32(t.Height)
	}
	if t := m.Large; t != nil {
		if err := store.WriteThumbnail(c.Hash, files.Large, t.Data); err != nil {
			return err
		}
		done.LargeSize, done.LargeWidth, done.LargeHeight = int64(len(t.Data)), int32(t.Width), int32(t.Height)
	}
	return h.db.Write(ctx, func(tx *storage.Tx) error { return tx.SetProcessed(done) })
}
