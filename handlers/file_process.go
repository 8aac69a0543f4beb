package handlers

import (
	"context"
	"sync"

	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/storage"
)

// processing runs the workers that probe completed content (image size,
// thumbnails, duration) and mark it PROCESSED. The database is the queue:
// a worker takes the oldest content still in state PROCESSING, so content
// left there by a crash is picked up on the next start exactly like new
// content, and a kick after an upload commits only wakes a worker early.
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
		if err := h.processContent(p.ctx, c); err != nil {
			if p.ctx.Err() != nil {
				return // interrupted by Close: the next start does it again
			}
			h.log.Error("file processing", "content", c.ID, "err", err)
			continue // stays claimed: not retried until the next start
		}
		p.mu.Lock()
		delete(p.claimed, c.ID)
		p.mu.Unlock()
	}
}

// claimContent returns the oldest content in state PROCESSING that no
// worker has claimed, and claims it.
func (h *Handlers) claimContent(p *processing) (storage.Content, bool) {
	p.mu.Lock()
	n := len(p.claimed) + 1 // among that many oldest, one is unclaimed
	p.mu.Unlock()
	var cs []storage.Content
	err := h.db.Read(p.ctx, func(tx *storage.Tx) (err error) {
		cs, err = tx.ProcessingContents(n)
		return err
	})
	if err != nil {
		if p.ctx.Err() == nil {
			h.log.Error("file processing: list", "err", err)
		}
		return storage.Content{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		if !p.claimed[c.ID] {
			p.claimed[c.ID] = true
			return c, true
		}
	}
	return storage.Content{}, false
}

// processContent probes content, stores its thumbnails and records what it
// learnt. Content it cannot read still ends PROCESSED, without media facts:
// a client waiting on FileUploadStatus must not wait forever.
func (h *Handlers) processContent(ctx context.Context, c storage.Content) error {
	store, err := h.fileStore()
	if err != nil {
		return err
	}
	m, err := files.Probe(store.ContentPath(c.Hash, ""))
	if err != nil {
		h.log.Error("file processing: probe", "content", c.ID, "err", err)
		m = files.Media{}
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
