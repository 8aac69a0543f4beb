package server

import (
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/wire"
)

var _ wire.Session = (*conn)(nil)

// UserID is the logged-in user, or 0.
func (c *conn) UserID() uint64 { return c.user.Load() }

// DeviceID is the device session the connection is bound to, or 0.
func (c *conn) DeviceID() uint64 { return c.device.Load() }

// RemoteAddr is the peer's address as the server saw it.
func (c *conn) RemoteAddr() string { return c.remote }

// Login binds the connection to a user's device session. A handler calls it
// after the transaction that checked the token has committed. Another live
// connection of the same device session is sent NEW_CLIENT_IN_SESSION (with
// an empty id: it answers none of its requests) and then closed.
func (c *conn) Login(userID, deviceID uint64) {
	old := c.srv.hub.bind(c, userID, deviceID)
	if old == nil {
		return
	}
	c.srv.hub.evictions.Inc()
	c.srv.metrics.countError(labelSession, uint32(errs.NewClientInSession), false)
	c.srv.log.Info("device session taken over by a newer connection",
		"user_id", userID, "device_id", deviceID, "old_remote", old.remote, "new_remote", c.remote)
	old.closeAfter(outFrame{data: errorFrame(c.srv.base, "", errs.NewNewClientInSession())},
		closeNormal, "new client in session")
}
