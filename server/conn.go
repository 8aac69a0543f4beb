package server

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gapd/gapd/securing"
	"github.com/gapd/gapd/wire"
	"github.com/lxzan/gws"
)

// outFrame is one entry of a connection's outbound queue: a frame to write,
// and/or a close once everything before it is written. Queues hold pointers,
// and a queued outFrame is never changed: one push is a single outFrame
// shared by every recipient, and an idle connection's queue costs 8 bytes a
// slot rather than the struct's size.
type outFrame struct {
	data   []byte
	pong   bool // data is a WebSocket pong's payload, not a protocol frame
	close  bool
	code   uint16
	reason string
	// secure, on the ACCEPTED answer of the connection securing, seals
	// every frame written after this one (which itself goes out plain).
	secure *securing.Cipher
}

// conn is one WebSocket connection: the wire.Session that dispatch and
// handlers see (session.go), and its outbound queue.
//
// Everything the server sends goes through the queue, bounded by the
// server's outQueue, so frames leave in the order they were queued and a
// slow client only ever holds up its own writer. Responses to the
// connection's own requests wait for room in the queue (back-pressure on
// that client alone); pushes from other connections never wait: a push to
// a full queue is dropped (offer), and the client gets the change at its
// next ClientCondition, since every change is stored with its version. One
// burst of pushes therefore costs a client pushes, not its connection; only
// a queue that stays full with the writer taking nothing from it for the
// server's queueStall closes the connection (a client that stopped reading).
//
// The writer goroutine runs only while there is something to write: the
// first frame queued to an empty queue starts it and it ends once the queue
// is drained, so an idle connection costs no goroutine, no stack and no
// timer beyond gws's read loop. Heartbeats come from the server's one
// scheduler (beats.go), which marks them due.
type conn struct {
	srv    *Server
	ws     *gws.Conn // nil when a test drives the frame path directly
	remote string

	user   atomic.Uint64
	device atomic.Uint64
	signIn atomic.Uint64 // PendingSignIn
	// active is when the client last made a request (monoNow): the session
	// quiet the longest is the one a user's session cap evicts.
	active atomic.Int64

	mu      sync.Mutex
	queue   []*outFrame      // frames not yet written, oldest at head
	head    int              // index of the oldest frame in queue
	writing bool             // a writer goroutine is running
	beatDue bool             // a HeartbeatResponse is to be written
	room    chan struct{}    // closed when a frame leaves the queue; made by a waiter
	writeBy time.Time        // the socket's write deadline; only the writer touches it
	seal    *securing.Cipher // set once ACCEPTED is written; only the writer touches it

	// The connection securing's state (securing.go), read goroutine only.
	mode      connMode
	garbage   uint16           // bad frames in a row (request.go), saturating
	plainKeys int              // plain keys answered with ConnectionSecuringResponse again
	open      *securing.Cipher // opens frames once the key is accepted
	// fullSince is when a push first found the queue full (monoNow) since
	// the writer last took a frame; 0 while it has made progress since.
	fullSince time.Duration
	missed    uint32 // pushes dropped on a full queue, over the connection's life
	// pause is how long to hold off reading after a refused request
	// (pauseAfterFlood); read goroutine only.
	pause time.Duration

	done     chan struct{} // closed once the connection is finished
	doneOnce sync.Once
	closing  atomic.Bool // evicted or closing: frames still arriving are ignored

	endWith atomic.Pointer[wire.Error] // set by End: sent after the current answer, then closed
}

func newConn(s *Server, ws *gws.Conn, remote string) *conn {
	c := &conn{
		srv:    s,
		ws:     ws,
		remote: remote,
		done:   make(chan struct{}),
	}
	c.active.Store(int64(monoNow()))
	return c
}

// finished reports whether the connection is gone or being torn down.
func (c *conn) finished() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// queuedLocked is how many frames wait in the queue.
func (c *conn) queuedLocked() int { return len(c.queue) - c.head }

// pushLocked appends f and makes sure a writer runs. c.mu is held and the
// queue has room.
func (c *conn) pushLocked(f *outFrame) {
	c.queue = append(c.queue, f)
	c.startLocked()
}

// startLocked starts the writer unless it runs (or the test reads the queue
// itself).
func (c *conn) startLocked() {
	if !c.writing && c.ws != nil {
		c.writing = true
		go c.writeLoop()
	}
}

// offer queues a push without waiting. A full queue drops it and reports
// false: the connection has missed a push, which its client recovers
// through ClientCondition. If the queue has been full, without the writer
// taking a frame, for the server's queueStall, the client has stopped
// reading and the connection is closed.
func (c *conn) offer(f *outFrame) bool {
	c.mu.Lock()
	if c.finished() {
		c.mu.Unlock()
		return false
	}
	if c.queuedLocked() < c.srv.outQueue {
		c.pushLocked(f)
		c.mu.Unlock()
		return true
	}
	c.missed++
	if c.fullSince == 0 {
		c.fullSince = monoNow()
	}
	stalled := c.stalledLocked()
	c.mu.Unlock()
	c.srv.hub.dropped.Inc()
	if stalled {
		c.closeStalled()
	}
	return false
}

// stalledLocked reports whether the queue has stayed full, with the writer
// taking nothing, for the server's queueStall. c.mu is held.
func (c *conn) stalledLocked() bool {
	return c.fullSince != 0 && monoNow()-c.fullSince >= c.srv.queueStall
}

// closeStalled ends a connection whose client has stopped reading.
func (c *conn) closeStalled() {
	c.mu.Lock()
	missed := c.missed
	c.mu.Unlock()
	c.srv.hub.slowClosed.Inc()
	c.srv.log.Warn("closing a connection that has not read its frames for too long",
		"remote", c.remote, "user_id", c.UserID(), "missed_pushes", missed, "stall", c.srv.queueStall)
	c.kill()
}

// monoStart anchors monoNow.
var monoStart = time.Now()

// monoNow is a monotonic clock reading that is never 0 (0 marks "unset").
func monoNow() time.Duration { return max(time.Since(monoStart), 1) }

// enqueue queues f without waiting; a full queue closes the connection and
// enqueue reports false. Only a close frame goes this way (closeAfter): it
// cannot be dropped, and a client that has filled its queue would not read
// it in time anyway.
func (c *conn) enqueue(f *outFrame) bool {
	c.mu.Lock()
	if c.finished() {
		c.mu.Unlock()
		return false
	}
	if n := c.queuedLocked(); n >= c.srv.outQueue {
		c.mu.Unlock()
		c.srv.hub.slowClosed.Inc()
		c.srv.log.Warn("closing a connection that does not keep up with its frames",
			"remote", c.remote, "user_id", c.UserID(), "queued", n)
		c.kill()
		return false
	}
	c.pushLocked(f)
	c.mu.Unlock()
	return true
}

// put queues f, waiting for room while the queue is full, until the
// connection finishes (errConnClosed) or ctx ends (a nil ctx never does).
func (c *conn) put(ctx context.Context, f *outFrame) error {
	var ctxDone <-chan struct{}
	if ctx != nil {
		ctxDone = ctx.Done()
	}
	for {
		c.mu.Lock()
		if c.finished() {
			c.mu.Unlock()
			return errConnClosed
		}
		if c.queuedLocked() < c.srv.outQueue {
			c.pushLocked(f)
			c.mu.Unlock()
			return nil
		}
		if c.room == nil {
			c.room = make(chan struct{})
		}
		room := c.room
		c.mu.Unlock()
		select {
		case <-room:
		case <-c.done:
			return errConnClosed
		case <-ctxDone:
			return ctx.Err()
		}
	}
}

// take removes the oldest queued frame; with none, ok is false.
func (c *conn) take() (f *outFrame, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.takeLocked()
}

func (c *conn) takeLocked() (*outFrame, bool) {
	if c.head == len(c.queue) {
		return nil, false
	}
	f := c.queue[c.head]
	c.queue[c.head] = nil
	c.head++
	c.fullSince = 0 // progress: the queue has room again
	if c.head == len(c.queue) {
		// Drained: a small backing array is kept for the next burst, a big
		// one is given back.
		c.queue, c.head = c.queue[:0], 0
		if cap(c.queue) > 16 {
			c.queue = nil
		}
	}
	if c.room != nil {
		close(c.room)
		c.room = nil
	}
	return f, true
}

// beat marks a heartbeat due (the scheduler calls it every interval) and
// makes sure a writer runs to send it. It takes no queue slot: a client
// whose queue is full is already being written to. It also closes a
// connection stalled with a full queue that no push has come to find.
func (c *conn) beat() {
	c.mu.Lock()
	if c.finished() {
		c.mu.Unlock()
		return
	}
	if c.stalledLocked() {
		c.mu.Unlock()
		c.closeStalled()
		return
	}
	c.beatDue = true
	c.startLocked()
	c.mu.Unlock()
}

// reply queues the answer to one of this connection's own requests, waiting
// for room: only this client's reading is held up while its queue is full.
func (c *conn) reply(frame []byte) {
	_ = c.put(nil, &outFrame{data: frame})
}

// closeAfter queues f and a close with code once it is written; new frames
// from the client are ignored from now on. A full queue closes at once.
func (c *conn) closeAfter(f outFrame, code uint16, reason string) {
	c.closing.Store(true)
	f.close, f.code, f.reason = true, code, reason
	c.enqueue(&f)
}

// finish closes the connection after everything queued is written, waiting
// for room in the queue until ctx ends (graceful shutdown).
func (c *conn) finish(ctx context.Context, code uint16, reason string) {
	c.closing.Store(true)
	if err := c.put(ctx, &outFrame{close: true, code: code, reason: reason}); err != nil && ctx.Err() != nil {
		c.kill()
	}
}

// kill ends the connection at once, without a close frame: a client that
// does not read would not read one either, and a close frame would have to
// wait behind the data it is not reading. It never blocks.
func (c *conn) kill() {
	c.doneOnce.Do(func() {
		close(c.done)
		c.closing.Store(true)
		c.srv.hub.drop(c)
		if c.ws != nil {
			// Closing the socket fails the writer's blocked write and the
			// read loop, which then reports OnClose. A TLS close may try to
			// send an alert, so it runs aside.
			go func() { _ = c.ws.NetConn().Close() }()
		}
	})
}

// writeLoop writes queued frames in order, and a HeartbeatResponse when one
// is due, until the queue is empty; then it ends (the next frame starts
// another). Each write has a deadline of the heartbeat's interval plus
// grace (less at most a sixteenth, see write): a client that takes no data
// for that long is as gone as one that sends none.
func (c *conn) writeLoop() {
	for {
		c.mu.Lock()
		if c.finished() {
			c.writing = false
			c.mu.Unlock()
			return
		}
		beat := c.beatDue
		c.beatDue = false
		var f *outFrame
		if !beat {
			var ok bool
			if f, ok = c.takeLocked(); !ok {
				c.writing = false
				c.mu.Unlock()
				return
			}
		}
		c.mu.Unlock()

		switch {
		case beat:
			if !c.writeData(heartbeatFrame()) {
				return
			}
			continue
		case f.pong:
			if !c.write(gws.OpcodePong, f.data) {
				return
			}
		case f.data != nil:
			// A frame may be shared by many connections (a push): each
			// seals its own copy with its own key.
			if !c.writeData(f.data) {
				return
			}
		}
		if f.secure != nil {
			c.seal = f.secure
		}
		if f.close {
			_ = c.ws.SetWriteDeadline(time.Now().Add(c.srv.silence()))
			_ = c.ws.WriteClose(f.code, []byte(f.reason))
			c.kill()
			return
		}
	}
}

func (c *conn) write(op gws.Opcode, frame []byte) bool {
	// Moving the deadline is a timer update per write. One already within
	// a sixteenth of the full allowance bounds this write the same way, so
	// a burst of writes (or a push every few milliseconds) re-arms it only
	// now and then.
	now, silence := time.Now(), c.srv.silence()
	if c.writeBy.Sub(now) < silence-silence/16 {
		c.writeBy = now.Add(silence)
		if err := c.ws.SetWriteDeadline(c.writeBy); err != nil {
			c.kill()
			return false
		}
	}
	if err := c.ws.WriteMessage(op, frame); err != nil {
		c.srv.log.Debug("write failed; closing", "remote", c.remote, "user_id", c.UserID(), "err", err)
		c.kill()
		return false
	}
	return true
}

// writeData writes a protocol frame as the client must get it: as it is on
// a plain connection, IV || AES-CBC once the connection is secured. Writer
// only. The sealed bytes go through a buffer shared by all connections
// (gws copies a frame into its own buffer when writing it), so sealing
// allocates nothing and an idle connection holds no buffer.
func (c *conn) writeData(frame []byte) bool {
	if c.seal == nil {
		return c.write(gws.OpcodeBinary, frame)
	}
	bp := sealBufs.Get().(*[]byte)
	out := c.seal.Seal((*bp)[:0], frame)
	ok := c.write(gws.OpcodeBinary, out)
	if cap(out) <= maxSealBuf {
		*bp = out[:0]
		sealBufs.Put(bp)
	}
	return ok
}

// sealBufs are the writers' sealing buffers; one grown past maxSealBuf by
// a big frame is left to the collector.
var sealBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxSealBuf = 64 << 10
