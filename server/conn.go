package server

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lxzan/gws"
)

// Close codes the server sends.
const (
	closeNormal    = 1000 // eviction by a newer connection of the session
	closeGoingAway = 1001 // shutdown
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
}

// conn is one WebSocket connection: the wire.Session that dispatch and
// handlers see (session.go), and the one goroutine that writes to the socket.
//
// Everything the server sends goes through out, a bounded queue drained by
// writeLoop, so frames leave in the order they were queued and a slow client
// only ever holds up its own goroutine. Responses to the connection's own
// requests wait for room in the queue (back-pressure on that client alone);
// pushes from other connections never wait: a full queue closes the
// connection (enqueue).
type conn struct {
	srv    *Server
	ws     *gws.Conn // nil when a test drives the frame path directly
	remote string

	user   atomic.Uint64
	device atomic.Uint64

	out      chan *outFrame
	done     chan struct{} // closed once the connection is finished
	doneOnce sync.Once
	closing  atomic.Bool // evicted or closing: frames still arriving are ignored
}

func newConn(s *Server, ws *gws.Conn, remote string) *conn {
	return &conn{
		srv:    s,
		ws:     ws,
		remote: remote,
		out:    make(chan *outFrame, s.outQueue),
		done:   make(chan struct{}),
	}
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

// enqueue queues f without waiting. A full queue means the client does not
// keep up: the connection is closed and enqueue reports false.
func (c *conn) enqueue(f *outFrame) bool {
	if c.finished() {
		return false
	}
	select {
	case c.out <- f:
		return true
	default:
		c.srv.hub.slowClosed.Inc()
		c.srv.log.Warn("closing a connection that does not keep up with its frames",
			"remote", c.remote, "user_id", c.UserID(), "queued", len(c.out))
		c.kill()
		return false
	}
}

// reply queues the answer to one of this connection's own requests, waiting
// for room: only this client's reading is held up while its queue is full.
func (c *conn) reply(frame []byte) {
	select {
	case c.out <- &outFrame{data: frame}:
	case <-c.done:
	}
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
	select {
	case c.out <- &outFrame{close: true, code: code, reason: reason}:
	case <-c.done:
	case <-ctx.Done():
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

// writeLoop is the connection's only writer: queued frames in order, and a
// HeartbeatResponse every interval. Each write has a deadline of the
// heartbeat's interval plus grace: a client that takes no data for that long
// is as gone as one that sends none.
func (c *conn) writeLoop() {
	tick := time.NewTicker(c.srv.heartbeat)
	defer tick.Stop()
	for {
		select {
		case f := <-c.out:
			if f.pong {
				if !c.write(gws.OpcodePong, f.data) {
					return
				}
			} else if f.data != nil && !c.write(gws.OpcodeBinary, f.data) {
				return
			}
			if f.close {
				_ = c.ws.SetWriteDeadline(time.Now().Add(c.srv.silence()))
				_ = c.ws.WriteClose(f.code, []byte(f.reason))
				c.kill()
				return
			}
		case <-tick.C:
			if !c.write(gws.OpcodeBinary, heartbeatFrame()) {
				return
			}
		case <-c.done:
			return
		}
	}
}

func (c *conn) write(op gws.Opcode, frame []byte) bool {
	if err := c.ws.SetWriteDeadline(time.Now().Add(c.srv.silence())); err != nil {
		c.kill()
		return false
	}
	if err := c.ws.WriteMessage(op, frame); err != nil {
		c.srv.log.Debug("write failed; closing", "remote", c.remote, "user_id", c.UserID(), "err", err)
		c.kill()
		return false
	}
	return true
}
