package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

var _ wire.Session = (*conn)(nil)

// UserID is the logged-in user, or 0.
func (c *conn) UserID() uint64 { return c.user.Load() }

// DeviceID is the device session the connection is bound to, or 0.
func (c *conn) DeviceID() uint64 { return c.device.Load() }

// PendingSignIn is the account whose two-step password this connection
// has still to prove before UserVerify's sign-in completes, or 0.
func (c *conn) PendingSignIn() uint64 { return c.signIn.Load() }

// SetPendingSignIn sets PendingSignIn.
func (c *conn) SetPendingSignIn(userID uint64) { c.signIn.Store(userID) }

// RemoteAddr is the peer's address as the server saw it.
func (c *conn) RemoteAddr() string { return c.remote }

// Login binds the connection to a user's device session. A handler calls it
// after the transaction that checked the token has committed. Another live
// connection of the same device session is sent NEW_CLIENT_IN_SESSION (with
// an empty id: it answers none of its requests) and then closed; so is the
// user's session quiet the longest when this one is over
// -max-sessions-per-user, as if a newer client had taken it. In a cluster
// the other nodes are told, and evict their connection of the session.
func (c *conn) Login(userID, deviceID uint64) {
	old, over := c.srv.hub.bind(c, userID, deviceID)
	if cl := c.srv.hub.cluster.Load(); cl != nil && c.DeviceID() == deviceID && !c.finished() {
		cl.bound(userID, deviceID)
	}
	if old != nil {
		c.srv.hub.evictions.Inc()
		c.srv.log.Info("device session taken over by a newer connection",
			"user_id", userID, "device_id", deviceID, "old_remote", old.remote, "new_remote", c.remote)
		old.evict()
	}
	if over != nil {
		c.srv.hub.capEvictions.Inc()
		c.srv.log.Info("a user's session quiet the longest closed: too many sessions",
			"user_id", userID, "device_id", over.DeviceID(), "max_sessions", c.srv.cfg.MaxSessionsPerUser)
		over.evict()
	}
}

// evict sends NEW_CLIENT_IN_SESSION and closes the connection.
func (c *conn) evict() {
	c.srv.metrics.countError(labelSession, uint32(errs.NewClientInSession), false)
	c.closeAfter(outFrame{data: errorFrame(c.srv.base, "", errs.NewNewClientInSession())},
		closeNormal, reasonEvicted)
}

// Send queues msg to this connection alone, waiting for room in its queue.
func (c *conn) Send(ctx context.Context, action uint16, msg proto.Message) error {
	frame, err := marshalFrame(action, msg)
	if err != nil {
		return fmt.Errorf("send action %d: %w", action, err)
	}
	return c.put(ctx, &outFrame{data: frame})
}

// errConnClosed is Send's error once the connection has closed.
var errConnClosed = errors.New("connection closed")

// End drops the session from the hub now, so no push reaches it, and has
// handleFrame send e and close once the current answer is queued.
func (c *conn) End(e *wire.Error) {
	c.srv.hub.drop(c)
	c.endWith.Store(e)
}

// Virtual logs and counts a virtual error; it never reaches the client.
func (c *conn) Virtual(action string, e *wire.Error) {
	c.srv.metrics.countError(action, uint32(e.Major), true)
	c.srv.logError(action, "", c.UserID(), e, true)
}
