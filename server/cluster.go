package server

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gapd/gapd/wire"
	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
)

// Subjects of the messages between nodes (cluster_msg.go). Every node
// subscribes to both and filters locally: a push names its users inside
// the message, so a group push is one message rather than one per member,
// and a login costs no subscription change, so there is no moment when a
// fresh connection's user is not yet subscribed. The price is that every
// node reads every push and looks its users up in its own table, which is
// what a single node does anyway. Nodes of one cluster share these
// subjects: give each cluster its own NATS account.
const (
	subjectPush    = "gapd.push"
	subjectSession = "gapd.session"
	// Questions to the other nodes (requests): only a node that can say
	// yes answers, so no answer within AskWait means no.
	subjectOnline = "gapd.online" // has any node a live connection of this user?
	subjectRelay  = "gapd.relay"  // does any node hold the connection waiting under this key?
)

// DefaultAskWait is how long a node waits for another node to answer a
// question (is a user online there, did it hand over a relayed message).
const DefaultAskWait = time.Second

// DefaultReconnectWait is how long a node waits between attempts to reach
// NATS again.
const DefaultReconnectWait = time.Second

// ClusterOptions are a node's NATS settings.
type ClusterOptions struct {
	URL  string // -nats: one URL, or several separated by commas
	Node string // -node: this node's name, for NATS's connection list and the peers' logs
	Log  *slog.Logger
	// ReconnectWait is the pause between reconnect attempts; 0 means
	// DefaultReconnectWait. Not a flag: tests shorten it.
	ReconnectWait time.Duration
	// AskWait bounds the wait for another node's answer; 0 means
	// DefaultAskWait.
	AskWait time.Duration
}

// Cluster carries a hub's pushes and session events to the other gapd
// nodes over NATS (-nats), and theirs to it. Without it a hub is a single
// node's, as before.
//
// Everything goes as core NATS messages, at most once: a message published
// while NATS is unreachable is dropped, not buffered (a push replayed late
// would arrive after the client caught up through ClientCondition). Lost
// pushes are counted and recovered by ClientCondition, which every client
// sends after it logs in; lost session events leave an older connection of
// a device session open on another node until it closes by itself
// (heartbeat) or the session logs in again. Two logins of one device
// session on two nodes within the same few milliseconds evict each other;
// the client logs in again. The per-user session cap and Hub.Live stay
// per node.
type Cluster struct {
	nc      *nats.Conn
	hub     *Hub
	node    string
	log     *slog.Logger
	askWait time.Duration

	// warned: a publish failure has been logged since the last (re)connect;
	// the rest of an outage's failures are only counted.
	warned atomic.Bool

	connected    prometheus.GaugeFunc
	disconnects  prometheus.Counter
	pushesUnsent prometheus.Counter
	eventsUnsent prometheus.Counter
	slow         prometheus.Counter
}

// JoinCluster connects hub to NATS at o.URL and subscribes to the other
// nodes' messages. It does not wait for NATS: an unreachable server is
// retried in the background (and /healthz says unavailable meanwhile), so
// nodes and NATS can start in any order. Call it before the hub's server
// is built (server.New registers the cluster's metrics) and Close it
// after the server has shut down.
func JoinCluster(hub *Hub, o ClusterOptions) (*Cluster, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.ReconnectWait <= 0 {
		o.ReconnectWait = DefaultReconnectWait
	}
	if o.AskWait <= 0 {
		o.AskWait = DefaultAskWait
	}
	c := &Cluster{hub: hub, node: o.Node, log: o.Log, askWait: o.AskWait,
		disconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gapd_nats_disconnects_total",
			Help: "Times the connection to NATS was lost; pushes to other nodes are lost until it is back.",
		}),
		pushesUnsent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gapd_pushes_unsent_total",
			Help: "Pushes not published to the other nodes (NATS unreachable); their recipients get them at their next ClientCondition.",
		}),
		eventsUnsent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gapd_session_events_unsent_total",
			Help: "Logins and session ends not published to the other nodes (NATS unreachable): an older connection of the session elsewhere stays open.",
		}),
		slow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gapd_nats_slow_consumer_total",
			Help: "Times this node fell behind the messages of other nodes and NATS dropped some (lost pushes).",
		}),
	}
	nc, err := nats.Connect(o.URL,
		nats.Name("gapd "+o.Node),
		// A node delivers its own pushes itself, without the round trip.
		nats.NoEcho(),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(o.ReconnectWait),
		// Fail a publish while disconnected instead of replaying it late.
		nats.ReconnectBufSize(-1),
		nats.RetryOnFailedConnect(true),
		nats.ConnectHandler(func(nc *nats.Conn) {
			c.warned.Store(false)
			c.log.Info("NATS connected", "url", nc.ConnectedUrlRedacted())
		}),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if nc.IsClosed() {
				return // our own Close at shutdown
			}
			c.disconnects.Inc()
			c.log.Warn("NATS disconnected: pushes to and from other nodes are lost until it is back (clients recover them through ClientCondition)",
				"err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			c.warned.Store(false)
			c.log.Info("NATS reconnected", "url", nc.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrSlowConsumer) {
				c.slow.Inc()
			}
			c.log.Warn("NATS error", "err", err)
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("-nats %q: %w", o.URL, err)
	}
	c.nc = nc
	c.connected = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gapd_nats_connected",
		Help: "1 while the node is connected to NATS, 0 otherwise.",
	}, func() float64 {
		if nc.IsConnected() {
			return 1
		}
		return 0
	})
	for subject, f := range map[string]nats.MsgHandler{subjectPush: c.onPush, subjectSession: c.onSession,
		subjectOnline: c.onOnline, subjectRelay: c.onRelay} {
		if _, err := nc.Subscribe(subject, f); err != nil {
			nc.Close()
			return nil, fmt.Errorf("nats subscribe: %w", err)
		}
	}
	if nc.IsConnected() {
		// The subscriptions are in place at NATS once this returns: the
		// node hears every message published after it started.
		_ = nc.FlushTimeout(5 * time.Second)
	} else {
		c.log.Warn("NATS is not reachable yet; retrying in the background", "url", o.URL)
	}
	hub.cluster.Store(c)
	return c, nil
}

// Connected reports whether the node is connected to NATS now.
func (c *Cluster) Connected() bool { return c.nc.IsConnected() }

// Close leaves the cluster: what is published goes out, then the
// connection closes. The hub goes back to serving only its own node.
func (c *Cluster) Close() {
	c.hub.cluster.CompareAndSwap(c, nil)
	if c.nc.IsConnected() {
		_ = c.nc.FlushTimeout(time.Second)
	}
	c.nc.Close()
}

func (c *Cluster) collectors() []prometheus.Collector {
	return []prometheus.Collector{c.connected, c.disconnects, c.pushesUnsent, c.eventsUnsent, c.slow}
}

// publishPush sends a push's frame to the other nodes for users, skipping
// exceptDevice there. A push for more users than one NATS message holds
// goes as several, each with the frame.
func (c *Cluster) publishPush(users []uint64, frame []byte, exceptDevice uint64) {
	limit := int(c.nc.MaxPayload())
	if limit <= 0 {
		limit = 1 << 20 // NATS's default, until the server has told its own
	}
	per := (limit - len(frame) - 2*binary.MaxVarintLen64 - 1) / binary.MaxVarintLen64
	if per < 1 {
		c.pushesUnsent.Inc()
		c.log.Error("a push is too large for a NATS message; other nodes do not get it",
			"bytes", len(frame), "max_payload", limit)
		return
	}
	for len(users) > 0 {
		n := min(per, len(users))
		m := pushMsg{exceptDevice: exceptDevice, users: users[:n], frame: frame}
		if err := c.nc.Publish(subjectPush, m.appendTo(make([]byte, 0, 16+n*4+len(frame)))); err != nil {
			c.pushesUnsent.Inc()
			c.unsent("push", err)
			return
		}
		users = users[n:]
	}
}

// publishSession sends a session event to the other nodes.
func (c *Cluster) publishSession(m sessionMsg) {
	if err := c.nc.Publish(subjectSession, m.appendTo(nil)); err != nil {
		c.eventsUnsent.Inc()
		c.unsent("session event", err)
	}
}

// unsent logs the first failed publish of an outage at warn.
func (c *Cluster) unsent(what string, err error) {
	if c.warned.CompareAndSwap(false, true) {
		c.log.Warn("NATS publish failed; counting the rest of this outage's losses in metrics only",
			"what", what, "err", err)
	}
}

// onPush delivers another node's push to this node's connections. The
// frame is the message's own bytes (nats.go copies each payload for its
// handler), shared by every connection here as a local push's is.
func (c *Cluster) onPush(m *nats.Msg) {
	p, err := decodePush(m.Data)
	if err != nil {
		c.log.Error("ignoring a malformed push from NATS", "bytes", len(m.Data), "err", err)
		return
	}
	c.hub.deliver(p.users, p.frame, nil, p.exceptDevice)
}

// onSession applies another node's session event here.
func (c *Cluster) onSession(m *nats.Msg) {
	e, err := decodeSession(m.Data)
	if err != nil {
		c.log.Error("ignoring a malformed session event from NATS", "bytes", len(m.Data), "err", err)
		return
	}
	switch e.kind {
	case msgBind:
		c.hub.takenElsewhere(e.device, e.node)
	case msgEnd:
		c.hub.endLocal(e.device, e.err)
	}
}

// bound tells the other nodes that device session deviceID of userID now
// has its connection here: any they hold is evicted.
func (c *Cluster) bound(userID, deviceID uint64) {
	c.publishSession(sessionMsg{kind: msgBind, device: deviceID, user: userID, node: c.node})
}

// ended tells the other nodes to end device session deviceID's connection
// with e.
func (c *Cluster) ended(deviceID uint64, e *wire.Error) {
	c.publishSession(sessionMsg{kind: msgEnd, device: deviceID, err: e})
}

// ask publishes a question to the other nodes and reports whether one
// answered yes within the ask wait (only a node that can say yes answers).
func (c *Cluster) ask(ctx context.Context, subject string, data []byte) bool {
	ctx, cancel := context.WithTimeout(ctx, c.askWait)
	defer cancel()
	_, err := c.nc.RequestWithContext(ctx, subject, data)
	return err == nil
}

// yes answers a question: this node can say yes.
func (c *Cluster) yes(m *nats.Msg) {
	if err := m.Respond(nil); err != nil {
		c.log.Warn("answering another node failed", "subject", m.Subject, "err", err)
	}
}

// onlineElsewhere reports whether another node has a live connection of
// userID.
func (c *Cluster) onlineElsewhere(ctx context.Context, userID uint64) bool {
	return c.ask(ctx, subjectOnline, binary.AppendUvarint(nil, userID))
}

// onOnline answers another node asking whether a user is online here.
func (c *Cluster) onOnline(m *nats.Msg) {
	r := reader{b: m.Data}
	if u := r.uvarint(); r.err == nil && c.hub.Online(u) > 0 {
		c.yes(m)
	}
}

// relay hands payload to the node holding the connection that waits under
// key, and reports whether that node delivered it.
func (c *Cluster) relay(ctx context.Context, key, payload []byte) bool {
	m := relayMsg{key: key, payload: payload}
	return c.ask(ctx, subjectRelay, m.appendTo(nil))
}

// onRelay delivers another node's relayed message if a connection here
// waits under its key (Hub.OnRelay), and then says so.
func (c *Cluster) onRelay(m *nats.Msg) {
	r, err := decodeRelay(m.Data)
	if err != nil {
		c.log.Error("ignoring a malformed relay from NATS", "bytes", len(m.Data), "err", err)
		return
	}
	f := c.hub.relayed.Load()
	if f == nil {
		return
	}
	// Aside: delivering may wait for room in the connection's queue, and
	// this node's other messages come on the same goroutine.
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), c.askWait)
		defer cancel()
		if (*f)(ctx, r.key, r.payload) {
			c.yes(m)
		}
	}()
}
