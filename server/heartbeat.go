package server

import (
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
)

// minGrace is the least time a client gets beyond the interval to answer a
// heartbeat: mobile networks stall for seconds.
const minGrace = 5 * time.Second

// actionHeartbeatResponse is the id of HeartbeatResponse (30003).
const actionHeartbeatResponse = dispatch.ResponseHeartbeat

// heartbeatGrace is the time allowed beyond the interval: an explicit
// override, else half the interval and at least minGrace.
func heartbeatGrace(interval, override time.Duration) time.Duration {
	if override > 0 {
		return override
	}
	return max(interval/2, minGrace)
}

// silence is how long a connection may go without a frame from the client
// (and how long one write may take) before it is closed.
func (s *Server) silence() time.Duration { return s.heartbeat + s.grace }

// touch moves the read deadline; gws's read loop fails once it passes and
// the connection closes. A logged-in client proves it is alive with any
// frame (a request, a Heartbeat, a WebSocket ping or pong) and may be
// silent for the interval plus grace. Before login, clients answer no
// heartbeat (a user on the sign-up screens is silent for minutes), so only
// a request moves the deadline, to -login-idle away.
func (c *conn) touch(request bool) {
	if request {
		c.active.Store(int64(monoNow()))
	}
	if c.ws == nil {
		return
	}
	switch {
	case c.UserID() != 0:
		_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.silence()))
	case request:
		_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.cfg.LoginIdle))
	}
}

// heartbeatFrame is the server's HeartbeatResponse push (empty id). The
// client answers with Heartbeat (3), which is never answered.
func heartbeatFrame() []byte {
	f, _ := marshalFrame(actionHeartbeatResponse, &pb.HeartbeatResponse{
		Response: &pb.Response{Timestamp: uint32(time.Now().Unix())},
	})
	return f
}

// intervalSeconds is the interval as ConnectionSecuringResponse states it:
// whole seconds, rounded up, at least 1.
func intervalSeconds(d time.Duration) uint32 {
	s := (d + time.Second - 1) / time.Second
	return uint32(max(s, 1))
}
