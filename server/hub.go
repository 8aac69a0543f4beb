package server

import (
	"sync"

	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// Hub knows the live connections of every user and device session. Pushes go
// through it; a newer connection of a device session evicts the older one.
type Hub struct {
	mu      sync.Mutex
	byUser  map[uint64]map[*conn]struct{}
	byDevic map[uint64]*conn
	metrics *metrics
}

func newHub(m *metrics) *Hub {
	return &Hub{byUser: map[uint64]map[*conn]struct{}{}, byDevic: map[uint64]*conn{}, metrics: m}
}

// bind registers c as the live connection of a device session and returns the
// connection it replaces, if any.
func (h *Hub) bind(c *conn, userID, deviceID uint64) (evicted *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := h.byDevic[deviceID]; old != nil && old != c {
		evicted = old
		h.dropLocked(old)
	}
	h.byDevic[deviceID] = c
	set := h.byUser[userID]
	if set == nil {
		set = map[*conn]struct{}{}
		h.byUser[userID] = set
	}
	set[c] = struct{}{}
	return evicted
}

// drop forgets a connection that is closing.
func (h *Hub) drop(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLocked(c)
}

func (h *Hub) dropLocked(c *conn) {
	uid, did := c.UserID(), c.DeviceID()
	if h.byDevic[did] == c {
		delete(h.byDevic, did)
	}
	if set := h.byUser[uid]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(h.byUser, uid)
		}
	}
}

// Push sends msg, as a frame of action with an empty response id, to every
// live connection of userID except the one given. The frame is encoded once.
// A connection whose queue is full is closed rather than waited for: it
// catches up through ClientCondition when it reconnects.
func (h *Hub) Push(userID uint64, action uint16, msg proto.Message, except wire.Session) error {
	payload, err := proto.Marshal(msg)
	if err != nil {
		return err
	}
	frame := wire.AppendFrame(make([]byte, 0, wire.HeaderSize+len(payload)), action, payload)
	h.mu.Lock()
	targets := make([]*conn, 0, len(h.byUser[userID]))
	for c := range h.byUser[userID] {
		if wire.Session(c) != except {
			targets = append(targets, c)
		}
	}
	h.mu.Unlock()
	for _, c := range targets {
		c.enqueue(frame, false)
	}
	return nil
}

// Online reports how many live connections userID has.
func (h *Hub) Online(userID uint64) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.byUser[userID])
}
