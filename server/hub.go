package server

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gapd/gapd/wire"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"
)

// Hub knows the live, logged-in connections: one per device session and any
// number per user. Handlers push through it to a user's other sessions.
//
// It lives in process. With a Cluster (-nats) it also sends its pushes and
// session events to the other gapd nodes and applies theirs: a push reaches
// a user's connections on every node, and a login or a session's end on one
// node evicts the device session's connection on the others. Live and the
// per-user session cap stay this node's own.
type Hub struct {
	mu       sync.RWMutex
	byDevice map[uint64]*conn
	byUser   map[uint64][]*conn // a user has few sessions: a slice costs less than a set
	// maxPerUser caps a user's live sessions (-max-sessions-per-user; 0:
	// none): a login beyond it evicts the session quiet the longest.
	maxPerUser int

	pushes     prometheus.Counter
	dropped    prometheus.Counter
	slowClosed prometheus.Counter
	evictions  prometheus.Counter
	// capEvictions counts sessions evicted by -max-sessions-per-user.
	capEvictions prometheus.Counter

	cluster atomic.Pointer[Cluster] // nil: a single node

	// gone is told, aside, when a user's last live connection on this node
	// goes (OnUserGone); nil: nobody is.
	gone atomic.Pointer[func(userID uint64)]

	// relayed delivers another node's Relay here (OnRelay); nil: nothing
	// waits here.
	relayed atomic.Pointer[func(ctx context.Context, key, payload []byte) bool]
}

// OnRelay has f called with each message another node relays (Relay): f
// delivers payload to the connection of this node that waits under key and
// reports whether it did. A later call replaces f.
func (h *Hub) OnRelay(f func(ctx context.Context, key, payload []byte) bool) { h.relayed.Store(&f) }

// Clustered reports whether the hub has other nodes (-nats), which Relay and
// OnlineAnywhere ask.
func (h *Hub) Clustered() bool { return h.cluster.Load() != nil }

// Relay hands payload to the connection waiting under key on another node
// (its OnRelay function finds it) and reports whether it was delivered;
// without other nodes, or when none answers in time, it was not.
func (h *Hub) Relay(ctx context.Context, key, payload []byte) bool {
	cl := h.cluster.Load()
	return cl != nil && cl.relay(ctx, key, payload)
}

// OnlineAnywhere reports whether userID has a live connection on this node
// or, asked over NATS, on another.
func (h *Hub) OnlineAnywhere(ctx context.Context, userID uint64) bool {
	if h.Online(userID) > 0 {
		return true
	}
	cl := h.cluster.Load()
	return cl != nil && cl.onlineElsewhere(ctx, userID)
}

// OnUserGone has f called, in a goroutine of its own, whenever a user's last
// live connection on this node goes (closed, evicted or ended); handlers
// mark the user offline with it. A later call replaces f.
func (h *Hub) OnUserGone(f func(userID uint64)) { h.gone.Store(&f) }

// tellGone calls the OnUserGone function for each user that has no live
// connection left (users may repeat and include 0). Call it without h.mu.
func (h *Hub) tellGone(users ...uint64) {
	f := h.gone.Load()
	if f == nil {
		return
	}
	for _, u := range users {
		if u != 0 && h.Online(u) == 0 {
			go (*f)(u)
		}
	}
}

// NewHub returns an empty hub. A Server makes its own unless Options.Hub
// gives one, which lets handlers be built with the hub before the server.
func NewHub() *Hub {
	return &Hub{
		byDevice: map[uint64]*conn{},
		byUser:   map[uint64][]*conn{},
		pushes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gapd_pushes_total",
			Help: "Frames queued to connections by Hub.Push.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gapd_pushes_dropped_total",
			Help: "Pushes not queued because the connection's outbound queue was full; the client gets them at its next ClientCondition.",
		}),
		slowClosed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gapd_slow_connections_closed_total",
			Help: "Connections closed because their outbound queue stayed full, with nothing written, for the stall time.",
		}),
		evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gapd_evictions_total",
			Help: "Connections closed with NEW_CLIENT_IN_SESSION because their device session logged in elsewhere.",
		}),
		capEvictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gapd_session_cap_evictions_total",
			Help: "Connections closed with NEW_CLIENT_IN_SESSION because their user logged in more sessions than -max-sessions-per-user.",
		}),
	}
}

// Push sends msg as a frame of action (a response id, 30000+N) with an empty
// response id to every live connection of userID except the session except
// (the one whose request caused the push; nil for none). Push never waits:
// a connection whose outbound queue is full misses the push (conn.offer)
// and catches up through ClientCondition.
func (h *Hub) Push(userID uint64, action uint16, msg proto.Message, except wire.Session) error {
	return h.PushMany([]uint64{userID}, action, msg, except)
}

// PushMany is Push to several users: the frame is encoded once and the same
// bytes are queued to every connection (a group's thousand members cost one
// encoding, not a thousand). A user listed twice gets the frame once. In a
// cluster the same bytes go to the other nodes in one message.
func (h *Hub) PushMany(users []uint64, action uint16, msg proto.Message, except wire.Session) error {
	frame, err := marshalFrame(action, msg)
	if err != nil {
		return fmt.Errorf("push action %d: %w", action, err)
	}
	h.deliver(users, frame, except, 0)
	if cl := h.cluster.Load(); cl != nil {
		var device uint64
		if except != nil {
			// The session lives on this node; its device id is how the
			// others would know it (should it have a stale connection there).
			device = except.DeviceID()
		}
		cl.publishPush(users, frame, device)
	}
	return nil
}

// deliver queues frame to the live connections here of users, except the
// session except and any connection of device session exceptDevice (0:
// none).
func (h *Hub) deliver(users []uint64, frame []byte, except wire.Session, exceptDevice uint64) {
	var one [1]*conn
	targets := one[:0]
	var seen map[uint64]struct{} // for long lists; short ones are searched
	if len(users) > 16 {
		seen = make(map[uint64]struct{}, len(users))
	}
	h.mu.RLock()
	for i, u := range users {
		if seen != nil {
			if _, dup := seen[u]; dup {
				continue
			}
			seen[u] = struct{}{}
		} else if slices.Contains(users[:i], u) {
			continue
		}
		for _, c := range h.byUser[u] {
			if (except == nil || wire.Session(c) != except) && (exceptDevice == 0 || c.DeviceID() != exceptDevice) {
				targets = append(targets, c)
			}
		}
	}
	h.mu.RUnlock()
	if len(targets) == 0 {
		return
	}
	// Outside the lock: a stalled connection is closed, which takes the
	// lock to unregister it. Queued frames are only read, never changed, so
	// every connection shares the one encoding.
	f := &outFrame{data: frame}
	queued := 0
	for _, c := range targets {
		if c.offer(f) {
			queued++
		}
	}
	h.pushes.Add(float64(queued))
}

// Online reports how many live connections userID has.
func (h *Hub) Online(userID uint64) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.byUser[userID])
}

// Live reports whether device session deviceID has a live connection on
// this node. In a cluster a session connected to another node is not live
// here: nodes keep no view of each other's connections, which would go stale
// whenever NATS drops a message.
func (h *Hub) Live(deviceID uint64) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.byDevice[deviceID] != nil
}

// EndSession sends the live connection of device session deviceID, if it
// has one, e (empty id) and closes it: the session was terminated or logged
// out elsewhere. In a cluster the other nodes do the same with theirs.
func (h *Hub) EndSession(deviceID uint64, e *wire.Error) {
	h.endLocal(deviceID, e)
	if cl := h.cluster.Load(); cl != nil {
		cl.ended(deviceID, e)
	}
}

// endLocal is EndSession on this node alone.
func (h *Hub) endLocal(deviceID uint64, e *wire.Error) {
	h.mu.Lock()
	c := h.byDevice[deviceID]
	if c != nil {
		h.dropLocked(c)
	}
	h.mu.Unlock()
	if c != nil {
		h.tellGone(c.UserID())
		c.closeAfter(outFrame{data: errorFrame(c.srv.base, "", e)}, closeNormal, reasonEnded)
	}
}

// setMaxPerUser sets the cap on one user's live sessions (0: none).
func (h *Hub) setMaxPerUser(n int) {
	h.mu.Lock()
	h.maxPerUser = n
	h.mu.Unlock()
}

// bind makes c the live connection of deviceID for userID, forgetting any
// earlier binding of c itself (a second UserLogin on one connection). It
// returns the connection it displaced, and the one over the user's session
// cap (the one whose last request is oldest), which the caller evicts. A
// connection that is already finished is not registered.
func (h *Hub) bind(c *conn, userID, deviceID uint64) (displaced, overCap *conn) {
	// c's earlier user (a second UserLogin as someone else) may have no
	// connection left.
	defer h.tellGone(c.UserID())
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLocked(c)
	c.user.Store(userID)
	c.device.Store(deviceID)
	if c.finished() {
		return nil, nil
	}
	if old := h.byDevice[deviceID]; old != nil && old != c {
		h.dropLocked(old)
		displaced = old
	}
	h.byDevice[deviceID] = c
	h.byUser[userID] = append(h.byUser[userID], c)
	if set := h.byUser[userID]; h.maxPerUser > 0 && len(set) > h.maxPerUser {
		for _, o := range set {
			if o != c && (overCap == nil || o.active.Load() < overCap.active.Load()) {
				overCap = o
			}
		}
		h.dropLocked(overCap)
	}
	return displaced, overCap
}

// takenElsewhere evicts this node's connection of device session deviceID,
// if it has one, with NEW_CLIENT_IN_SESSION: the session logged in on node.
func (h *Hub) takenElsewhere(deviceID uint64, node string) {
	h.mu.Lock()
	c := h.byDevice[deviceID]
	if c != nil {
		h.dropLocked(c)
	}
	h.mu.Unlock()
	if c == nil {
		return
	}
	h.tellGone(c.UserID())
	h.evictions.Inc()
	c.srv.log.Info("device session taken over by a connection on another node",
		"user_id", c.UserID(), "device_id", deviceID, "old_remote", c.remote, "by_node", node)
	c.evict()
}

// drop forgets c (it is closing).
func (h *Hub) drop(c *conn) {
	h.mu.Lock()
	h.dropLocked(c)
	h.mu.Unlock()
	h.tellGone(c.UserID())
}

func (h *Hub) dropLocked(c *conn) {
	if d := c.DeviceID(); d != 0 && h.byDevice[d] == c {
		delete(h.byDevice, d)
	}
	u := c.UserID()
	set := h.byUser[u]
	if i := slices.Index(set, c); i >= 0 {
		set = slices.Delete(set, i, i+1)
		if len(set) == 0 {
			delete(h.byUser, u)
		} else {
			h.byUser[u] = set
		}
	}
}
