// Package server is gapd's runtime: the WebSocket transport (gws), one
// session per connection with eviction of an older connection of the same
// device, the push hub with bounded per-connection queues, the heartbeat,
// /healthz, /metrics and graceful shutdown.
package server

import (
	"os"
	"time"
)

// Config is the server's own settings: listeners, TLS, the securing, the
// heartbeat, frames, caps and timeouts. Package config reads them from the
// flags (and checks them, naming the flag); the fields that are no flag
// are for tests.
type Config struct {
	Addr string // listen address, host:port

	TLSCert, TLSKey string // both or neither; both serve wss://

	// Heartbeat is how often the server sends HeartbeatResponse. A client
	// silent for Heartbeat plus the grace is closed.
	Heartbeat time.Duration
	// HeartbeatGrace overrides the grace (default: Heartbeat/2, at least 5s).
	// Not a flag: tests shorten it.
	HeartbeatGrace time.Duration

	// MaxFrame is the largest frame a client may send, in bytes. A larger
	// frame closes the connection with close code 1009 (message too big):
	// gws refuses it from the frame header, before reading the payload, so
	// the limit really bounds memory, and no protocol answer can be sent.
	MaxFrame int

	HandlerTimeout time.Duration // deadline of one request's handler

	// OutQueue bounds a connection's outbound frames (responses, pushes);
	// 0 means DefaultOutQueue. Not a flag: tests shrink it.
	OutQueue int
	// QueueStall is how long a connection's outbound queue may stay full,
	// with nothing written from it, before the connection is closed as
	// stalled; until then pushes that find it full are dropped. 0 means
	// DefaultQueueStall. Not a flag: tests shorten it.
	QueueStall time.Duration

	// MaxBadFrames is how many bad frames in a row (text, shorter than 2
	// bytes, an unknown action, an undecodable payload) close a connection
	// (1008); 0 means DefaultMaxBadFrames, at most 65535. Not a flag: tests
	// raise it.
	MaxBadFrames int

	// FloodPause caps how long a connection's reading pauses after one of
	// its requests was refused with FLOOD_REQUEST: until the refused
	// class's next token, at most this. A client flooding in a closed
	// loop then costs one request per pause instead of a core. 0 means
	// DefaultFloodPause. Not a flag: tests shorten it.
	FloodPause time.Duration

	// SecuringKey is the server's RSA private key (PEM, PKCS#1 or PKCS#8)
	// for the connection securing; empty: SecuringKeyFile under the data
	// directory, created on first start (LoadKeys). SecuringClientKey is
	// the private half of the key built into the operator's clients, which
	// version 2 of the securing needs.
	SecuringKey, SecuringClientKey string

	// PlainFrames is PlainAllow (a connection whose first request is not
	// ConnectionSymmetricKey stays plain: gapd's own clients and tools)
	// or PlainDeny (such a connection is closed, 1008).
	PlainFrames string

	// LoginIdle is how long a connection that has not logged in may go
	// without a request (heartbeat answers do not count) before it is
	// closed; clients answer no heartbeat before login.
	LoginIdle time.Duration

	// MaxConns caps the open WebSocket connections, MaxConnsPerIP those of
	// one address (an IPv6 /64 is one address); an upgrade over either is
	// answered 429. MaxSessionsPerUser caps one user's logged-in sessions:
	// a login over it evicts the user's session quiet the longest. 0: no cap.
	MaxConns, MaxConnsPerIP, MaxSessionsPerUser int

	// OpsAddr is where /metrics and /healthz are served; empty: on Addr,
	// beside the WebSocket paths.
	OpsAddr string

	// Node names this gapd among several (-node): it labels the logs and
	// gapd_node_info, and the NATS connection. Empty: DefaultNode().
	Node string
	// NATS is the NATS server(s) that carry pushes and session events
	// between nodes (-nats; URLs separated by commas). Empty: one node, all
	// in process. app joins the hub to it (JoinCluster) before it builds
	// the server.
	NATS string
}

// Defaults of the server's flags.
const (
	DefaultAddr           = "127.0.0.1:8080"
	DefaultHeartbeat      = 30 * time.Second
	DefaultMaxFrame       = 1 << 20
	DefaultHandlerTimeout = 10 * time.Second
	DefaultOutQueue       = 256
	DefaultQueueStall     = 30 * time.Second
	// Each bad frame is answered with error 1; a client that sends this many
	// in a row is broken or probing.
	DefaultMaxBadFrames       = 16
	DefaultFloodPause         = time.Second
	DefaultLoginIdle          = 10 * time.Minute
	DefaultMaxConnsPerIP      = 64
	DefaultMaxSessionsPerUser = 32
	// Metrics and health stay off the public port unless asked.
	DefaultOpsAddr = "127.0.0.1:9090"

	PlainAllow = "allow"
	PlainDeny  = "deny"
)

// DefaultNode is -node's default: the host's name ("gapd" if it has none).
func DefaultNode() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "gapd"
}

// DefaultConfig is the flags' defaults: what gapd runs with when the
// operator sets nothing.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr, Heartbeat: DefaultHeartbeat, MaxFrame: DefaultMaxFrame,
		HandlerTimeout: DefaultHandlerTimeout, PlainFrames: PlainAllow, LoginIdle: DefaultLoginIdle,
		MaxConns: DefaultMaxConns(), MaxConnsPerIP: DefaultMaxConnsPerIP,
		MaxSessionsPerUser: DefaultMaxSessionsPerUser, OpsAddr: DefaultOpsAddr, Node: DefaultNode()}
}
