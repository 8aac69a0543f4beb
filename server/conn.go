package server

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/lxzan/gws"
	"google.golang.org/protobuf/proto"
)

// queueSize bounds a connection's outbound frames; a client that lets it fill
// is closed so that it never slows anyone else.
const queueSize = 256

type outFrame struct {
	data  []byte
	close bool // close the connection once this frame is written
}

// conn is one WebSocket connection: a wire.Session for dispatch and handlers,
// with one writer goroutine draining a bounded queue.
type conn struct {
	srv    *Server
	ws     *gws.Conn
	remote string
	user   atomic.Uint64
	device atomic.Uint64

	out       chan outFrame
	closeOnce sync.Once
	done      chan struct{} // closed when the connection is gone
}

func newConn(s *Server, ws *gws.Conn) *conn {
	remote := ""
	if a := ws.RemoteAddr(); a != nil {
		remote = a.String()
	}
	return &conn{srv: s, ws: ws, remote: remote, out: make(chan outFrame, queueSize), done: make(chan struct{})}
}

func (c *conn) UserID() uint64     { return c.user.Load() }
func (c *conn) DeviceID() uint64   { return c.device.Load() }
func (c *conn) RemoteAddr() string { return c.remote }

// Login binds the connection to a device session; an older connection of the
// same device session gets NEW_CLIENT_IN_SESSION and is closed.
func (c *conn) Login(userID, deviceID uint64) {
	c.srv.hub.drop(c) // a re-login on this connection replaces its old binding
	c.user.Store(userID)
	c.device.Store(deviceID)
	if old := c.srv.hub.bind(c, userID, deviceID); old != nil {
		c.srv.log.Info("session taken over by a new connection", "user_id", userID, "device_id", deviceID, "old", old.remote, "new", c.remote)
		old.sendError(c.srv.table.NewClientInSession(), "", true)
	}
}

// enqueue queues a frame without blocking. A full queue closes the connection.
func (c *conn) enqueue(frame []byte, closeAfter bool) {
	select {
	case <-c.done:
		return
	default:
	}
	select {
	case c.out <- outFrame{data: frame, close: closeAfter}:
	default:
		c.srv.metrics.dropped.Inc()
		c.srv.log.Warn("closing a connection that does not keep up", "remote", c.remote, "user_id", c.UserID())
		c.close()
	}
}

// send queues a message as a frame of action.
func (c *conn) send(action uint16, m proto.Message) {
	payload, err := proto.Marshal(m)
	if err != nil {
		c.srv.log.Error("marshal", "action", action, "err", err)
		return
	}
	c.enqueue(wire.AppendFrame(make([]byte, 0, wire.HeaderSize+len(payload)), action, payload), false)
}

// sendError queues an ErrorResponse for the request with id.
func (c *conn) sendError(e *wire.Error, id string, closeAfter bool) {
	payload, _ := proto.Marshal(&pb.ErrorResponse{
		Response:  &pb.Response{Id: id, Timestamp: uint32(time.Now().Unix())},
		MajorCode: uint32(e.Major), MinorCode: uint32(e.Minor), Wait: e.Wait, Message: e.Message,
	})
	c.enqueue(wire.AppendFrame(nil, dispatch.MessageErrorResponse, payload), closeAfter)
}

// writeLoop writes queued frames and the heartbeat until the connection ends.
func (c *conn) writeLoop() {
	t := time.NewTicker(c.srv.cfg.Heartbeat)
	defer t.Stop()
	for {
		select {
		case f := <-c.out:
			if f.data != nil {
				if err := c.ws.WriteMessage(gws.OpcodeBinary, f.data); err != nil {
					c.close()
					return
				}
			}
			if f.close {
				c.close()
				return
			}
		case <-t.C:
			c.send(dispatch.ActionHeartbeat+wire.ResponseOffset, &pb.HeartbeatResponse{Response: &pb.Response{Timestamp: uint32(time.Now().Unix())}})
		case <-c.done:
			return
		}
	}
}

// flushAndClose writes what is queued, then closes (graceful shutdown).
func (c *conn) flushAndClose() {
	c.enqueue(nil, true)
}

// touch pushes the read deadline out: a client silent for the heartbeat
// interval plus a grace period is gone.
func (c *conn) touch() {
	grace := c.srv.cfg.Heartbeat / 2 // time for a heartbeat in flight to arrive
	_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.cfg.Heartbeat + grace))
}

func (c *conn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		c.srv.hub.drop(c)
		_ = c.ws.WriteClose(1000, nil)
		_ = c.ws.NetConn().Close()
	})
}

var _ wire.Session = (*conn)(nil)
