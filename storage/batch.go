package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// Group commit. With synchronous=FULL every commit waits for the disk, and
// that wait, not the SQL, is what limits a single writer. So writes that
// arrive while the writer is busy are gathered into one transaction with
// one sync: each request's fn runs inside its own SAVEPOINT, so an error
// undoes only that request's work, and every caller is answered after the
// COMMIT that holds its work (a failed COMMIT fails all of them). A lone
// request is not delayed: a batch is whatever is queued when the writer
// becomes free, never a wait for more.

// maxBatch bounds one transaction, so a long queue cannot make the first
// caller of a batch wait behind hundreds of others.
const maxBatch = 256

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("storage: database closed")

// Request states: the caller may abandon a request only while it is queued,
// so a Write that returned an error has never run.
const (
	reqQueued int32 = iota
	reqRunning
	reqAbandoned
)

type writeReq struct {
	ctx   context.Context
	fn    func(*Tx) error
	state atomic.Int32

	// Set by the batcher before done is closed.
	err      error
	panicked bool
	pval     any
	done     chan struct{}
}

// batcher owns the single writer connection once Open has migrated it.
type batcher struct {
	w       *sqlx.DB
	queue   chan *writeReq
	quit    chan struct{}
	quitOne sync.Once
	stopped chan struct{}
	carry   []*writeReq // requests a broken batch did not reach; they go first

	// Counters for tests and benchmarks: transactions committed or rolled
	// back, and requests they carried.
	txs, reqs atomic.Int64
	n         *atomic.Int64 // the DB's statement counter, for the Txs it hands out
}

func newBatcher(w *sqlx.DB, n *atomic.Int64) *batcher {
	b := &batcher{w: w, n: n, queue: make(chan *writeReq, 4*maxBatch), quit: make(chan struct{}), stopped: make(chan struct{})}
	go b.loop()
	return b
}

// stop ends the loop; requests still queued fail with ErrClosed.
func (b *batcher) stop() {
	b.quitOne.Do(func() { close(b.quit) })
	<-b.stopped
}

func (b *batcher) submit(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-b.quit:
		return ErrClosed
	default:
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case b.queue <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.quit:
		return ErrClosed
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return ctx.Err()
		}
		// Already running: its outcome is coming, and must be reported
		// as it is (it may commit).
		<-r.done
	case <-b.stopped:
		// Queued as Close ran: nothing will take it any more.
		if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return ErrClosed
		}
		<-r.done
	}
	if r.panicked {
		panic(r.pval)
	}
	return r.err
}

func (b *batcher) loop() {
	defer close(b.stopped)
	batch := make([]*writeReq, 0, maxBatch)
	for {
		batch = append(batch[:0], b.carry...)
		b.carry = nil
		if len(batch) == 0 {
			select {
			case r := <-b.queue:
				batch = append(batch, r)
			case <-b.quit:
				b.failQueued()
				return
			}
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-b.queue:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		b.run(batch)
	}
}

func (b *batcher) failQueued() {
	for {
		select {
		case r := <-b.queue:
			if r.state.CompareAndSwap(reqQueued, reqRunning) {
				r.err = ErrClosed
				close(r.done)
			}
		default:
			return
		}
	}
}

// run executes one batch in one transaction and answers every request in it.
func (b *batcher) run(batch []*writeReq) {
	todo := make([]*writeReq, 0, len(batch))
	for _, r := range batch {
		if !r.state.CompareAndSwap(reqQueued, reqRunning) && r.state.Load() != reqRunning {
			continue // abandoned by its caller before it started
		}
		if err := r.ctx.Err(); err != nil {
			r.err = err
			close(r.done)
			continue
		}
		todo = append(todo, r)
	}
	if len(todo) == 0 {
		return
	}
	defer func() {
		for _, r := range todo {
			close(r.done)
		}
	}()
	// The transaction's own context never ends: a caller's cancellation
	// must not roll back the others' work.
	stx, err := b.w.BeginTxx(context.Background(), nil)
	if err != nil {
		for _, r := range todo {
			r.err = fmt.Errorf("storage: begin: %w", err)
		}
		return
	}
	b.txs.Add(1)
	b.reqs.Add(int64(len(todo)))

	// A lone request needs no savepoint: its error rolls back the whole
	// transaction, which holds nothing else.
	if len(todo) == 1 {
		r := todo[0]
		if call(r, stx, b.n); r.err != nil || r.panicked {
			_ = stx.Rollback()
			return
		}
		if err := stx.Commit(); err != nil {
			r.err = fmt.Errorf("storage: commit: %w", err)
		}
		return
	}

	var ok []*writeReq
	for i, r := range todo {
		broken := savepoint(stx, "SAVEPOINT batch")
		if broken == nil {
			call(r, stx, b.n)
			if r.err != nil || r.panicked {
				broken = savepoint(stx, "ROLLBACK TO batch")
			}
			if broken == nil {
				broken = savepoint(stx, "RELEASE batch")
			}
			if broken == nil {
				if r.err == nil && !r.panicked {
					ok = append(ok, r)
				}
				continue
			}
		}
		// The transaction can no longer be trusted (SQLite itself rolled
		// it back): undo it all, fail what it held, and run the requests
		// it did not reach in a fresh one.
		_ = stx.Rollback()
		for _, o := range ok {
			o.err = fmt.Errorf("storage: batch rolled back: %w", broken)
		}
		if r.err == nil && !r.panicked {
			r.err = fmt.Errorf("storage: batch rolled back: %w", broken)
		}
		b.carry = append(b.carry, todo[i+1:]...)
		todo = todo[:i+1]
		return
	}
	if err := stx.Commit(); err != nil {
		for _, r := range ok {
			r.err = fmt.Errorf("storage: commit: %w", err)
		}
	}
}

func savepoint(stx *sqlx.Tx, stmt string) error {
	_, err := stx.Exec(stmt)
	return err
}

// call runs r.fn, turning a panic into r.panicked so the caller's own
// goroutine can re-raise it.
func call(r *writeReq, stx *sqlx.Tx, n *atomic.Int64) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked, r.pval = true, p
		}
	}()
	r.err = r.fn(&Tx{ctx: context.WithoutCancel(r.ctx), tx: stx, n: n})
}
