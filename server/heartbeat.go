package server

import (
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
)

// minGrace is the least time a client gets beyond the interval to answer a
// heartbeat: mobile networks stall for seconds.
const minGrace = 5 * time.Second

// actionHeartbeatResponse is the id of HeartbeatResponse (30003).
const actionHeartbeatResponse = dispatch.ActionHeartbeat + wire.ResponseOffset

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

// touch moves the read deadline: any frame from the client (a request, a
// Heartbeat, a WebSocket ping or pong) proves it is alive. gws's read loop
// fails once the deadline passes and the connection closes.
func (c *conn) touch() {
	if c.ws != nil {
		_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.silence()))
	}
}

// heartbeatFrame is the server's HeartbeatResponse push (empty id). The
// client answers with Heartbeat (3), which dispatch runs like any request.
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

// helloFrame is the first frame of every connection: ConnectionSecuringResponse
// with the heartbeat interval. Its public_key stays empty: gapd serves plain
// ws:// (local use) or wss://, where TLS does what the protocol's optional
// RSA/AES securing did, so it offers no in-protocol encryption and a client
// that tries ConnectionSymmetricKey anyway is refused by the handlers.
func (s *Server) helloFrame() []byte {
	f, _ := marshalFrame(dispatch.MessageConnectionSecuringResponse, &pb.ConnectionSecuringResponse{
		Response:          &pb.Response{Timestamp: uint32(time.Now().Unix())},
		HeartbeatInterval: intervalSeconds(s.heartbeat),
	})
	return f
}
