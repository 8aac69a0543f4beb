package server

import (
	"errors"
	"net"
	"time"
)

// Close codes the server sends.
const (
	closeNormal    = 1000 // eviction by a newer connection of the session
	closeGoingAway = 1001 // shutdown, idle, a read that failed
	closeBadData   = 1007 // a frame of a secured connection does not decrypt
	closePolicy    = 1008 // securing refused or skipped, too many bad frames
	closeTooLarge  = 1009 // a frame over -max-frame
)

// Close reasons: short and fixed. A close frame never carries an error's
// text, which would tell the client the server's address and internals.
const (
	reasonShutdown   = "server shutting down"
	reasonEvicted    = "new client in session"
	reasonEnded      = "session ended"
	reasonIdle       = "idle"
	reasonLost       = "connection lost"
	reasonBadFrames  = "too many bad frames"
	reasonFrameLarge = "frame too large"
)

// closeWriteTimeout bounds the write of a close frame sent from the read
// side: a client that stopped reading does not hold its read loop.
const closeWriteTimeout = time.Second

// closeNow writes a close frame at once, ahead of anything queued, and ends
// the connection. It runs on the read goroutine, before gws would close
// with a text of its own: gws writes no second close frame.
func (c *conn) closeNow(code uint16, reason string) {
	c.closing.Store(true)
	if c.ws != nil {
		// Also fails a write of the writer that a silent client blocks, so
		// the close frame gets its turn.
		_ = c.ws.SetWriteDeadline(time.Now().Add(closeWriteTimeout))
		_ = c.ws.WriteClose(code, []byte(reason))
	}
	c.kill()
}

// readFailed closes the connection after its socket read failed: the read
// deadline passed (idle before login, or silent after it), the client went
// away, or the server closed the socket itself. Without it gws would close
// with code 1000 and the read error's text ("read tcp 127.0.0.1:...: i/o
// timeout").
func (c *conn) readFailed(err error) {
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		c.srv.log.Debug("closing an idle connection", "remote", c.remote, "user_id", c.UserID())
		c.closeNow(closeGoingAway, reasonIdle)
		return
	}
	c.closeNow(closeGoingAway, reasonLost)
}
