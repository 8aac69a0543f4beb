package server

import (
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/wire"
)

// maxWriteFrame bounds a frame the server writes (gws refuses larger ones,
// and would close the connection); a bigger response becomes the action's
// internal error instead.
const maxWriteFrame = 64 << 20

// handleFrame runs one frame from the client and queues exactly one answer:
// the response, or an ErrorResponse, or nothing for a virtual error. binary
// is false for a text frame. It runs on the connection's read goroutine, so
// a connection's requests run one at a time, in order.
//
// The transport answers the connection-level actions itself: a Heartbeat
// (3) never gets an answer (clients answer every HeartbeatResponse with
// one), and ConnectionSymmetricKey (2) is the securing (securing.go).
// request is false for a Heartbeat: it proves the client alive, but is no
// activity of a connection that has not logged in.
func (c *conn) handleFrame(binary bool, frame []byte) (request bool) {
	ctx := c.srv.base
	start := time.Now()
	if c.open != nil && binary {
		var ok bool
		if frame, ok = c.openFrame(frame); !ok {
			return false
		}
	}
	action, payload, err := wire.DecodeFrame(frame)
	if !binary || err != nil {
		action = labelNoAction
	}
	if !c.gate(action) {
		return false
	}
	switch action {
	case dispatch.ActionHeartbeat:
		c.garbage = 0
		return false
	case dispatch.ActionConnectionSymmetricKey:
		c.countGarbage(!c.symmetricKey(payload))
		return true
	}
	if !binary {
		c.srv.metrics.observe(labelInvalidFrame, time.Since(start))
		c.sendError(ctx, labelInvalidFrame, "", errs.NewBadRequest().WithMessage("text frame: frames are binary"))
		c.countGarbage(true)
		return true
	}
	if err != nil {
		c.srv.metrics.observe(labelInvalidFrame, time.Since(start))
		c.sendError(ctx, labelInvalidFrame, "", errs.NewBadRequest().WithMessage("frame shorter than 2 bytes"))
		c.countGarbage(true)
		return true
	}

	res := c.srv.disp.Dispatch(ctx, c, action, payload)
	defer c.countGarbage(res.Garbage)
	if res.Limited != wire.ClassNone {
		c.srv.metrics.floods.WithLabelValues(res.Limited.String()).Inc()
		c.pause = min(res.LimitWait, c.srv.cfg.FloodPause)
	}
	name := labelUnknownAction
	if res.Route != nil {
		name = res.Route.Name
	}
	if res.Err == nil {
		out, err := marshalFrame(res.Route.ResponseID, res.Response)
		switch {
		case err != nil:
			c.srv.log.Error("response does not encode", "action", name, "request_id", res.RequestID,
				"user_id", c.UserID(), "err", err)
			res.Err = &wire.Error{Major: res.Route.Internal, Message: "internal server error"}
		case len(out) > maxWriteFrame:
			c.srv.log.Error("response too large", "action", name, "request_id", res.RequestID,
				"user_id", c.UserID(), "bytes", len(out))
			res.Err = &wire.Error{Major: res.Route.Internal, Message: "response too large"}
		default:
			c.srv.metrics.observe(name, time.Since(start))
			c.srv.log.Debug("request", "action", name, "request_id", res.RequestID,
				"user_id", c.UserID(), "took", time.Since(start))
			c.reply(out)
			c.endIfAsked()
			return true
		}
	}
	c.srv.metrics.observe(name, time.Since(start))
	c.sendError(ctx, name, res.RequestID, res.Err)
	c.endIfAsked()
	return true
}

// pauseAfterFlood holds the connection's read goroutine after a request
// refused with FLOOD_REQUEST (handleFrame sets the pause), so the client's
// next frame is read only when its budget may allow it: the refusal is
// answered at once, and the connection stays open. It runs outside the
// request's accounting, so a shutdown ends it at once.
func (c *conn) pauseAfterFlood() {
	d := c.pause
	if d <= 0 {
		return
	}
	c.pause = 0
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.done:
	case <-c.srv.draining:
	}
}

// endIfAsked sends the error a handler ended the session with (End), after
// the answer already queued, and closes the connection.
func (c *conn) endIfAsked() {
	if e := c.endWith.Swap(nil); e != nil {
		c.closeAfter(outFrame{data: errorFrame(c.srv.base, "", e)}, closeNormal, reasonEnded)
	}
}

// countGarbage counts a bad frame, or resets the count after a good one, and
// closes the connection (1008) after its answer at Config.MaxBadFrames in a
// row: each is answered with error 1, and a client that keeps sending them
// is broken or probing.
func (c *conn) countGarbage(bad bool) {
	if !bad {
		c.garbage = 0
		return
	}
	if int(c.garbage) < c.srv.cfg.MaxBadFrames {
		c.garbage++
	}
	if int(c.garbage) >= c.srv.cfg.MaxBadFrames && !c.closing.Load() {
		c.srv.metrics.badFrameCloses.Inc()
		c.srv.log.Debug("closing a connection that sends bad frames", "remote", c.remote,
			"user_id", c.UserID(), "in_a_row", c.garbage)
		c.closeAfter(outFrame{}, closePolicy, reasonBadFrames)
	}
}

// labelNoAction stands for the action of a text or short frame: no action
// of the protocol has it (ids below 30000 are requests).
const labelNoAction = 0xffff
