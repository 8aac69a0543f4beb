// Package handlers is gapd's hand-written behaviour: one file per action or
// small family of actions (user_session.go, chat_send.go, ...), together
// implementing the generated dispatch.Handlers interface. It holds behaviour
// only: code delivery (delivery), GeoIP (geoip), file processing (fileproc),
// request budgets (limits) and the transport (server) are packages of their
// own that app wires in through Deps; the operator's settings come as Config.
//
// Dispatch has already decoded, login-checked and validated every request a
// handler sees, and it fills the response header; a handler only decides what
// happens. Each request is one storage transaction, and its response leaves
// only after that transaction has committed.
package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/limits"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// Deps is what the handlers need from the running process; the operator's
// settings are Config. Zero fields get defaults in New: Sender logs codes
// (delivery.LogSender), Log is slog.Default(), Clock is time.Now and Hub
// drops pushes (nobody is online). DB is required.
type Deps struct {
	DB     *storage.DB
	Sender delivery.Sender
	// Email sends two-step verification tokens (nil: logged, as Sender's
	// codes are).
	Email delivery.EmailSender
	Log   *slog.Logger
	Clock func() time.Time
	Hub   Pusher
	// Store holds uploaded content (app opens it); nil fails file actions
	// with their internal error.
	Store *files.Store
	// Processing is told when an upload completes (fileproc.Processor);
	// nil: nobody processes uploads.
	Processing Kicker

	// Geo places client addresses for InfoLocation (the operator's -geoip);
	// nil answers every InfoLocation with error 500.
	Geo Geo

	// Limits holds the request and sign-up budgets (the operator's
	// -limits); nil limits nothing, for tests and embedders.
	Limits *limits.Limiter
}

// Pusher delivers a response without a request (a push) to a user's live
// sessions. server.Hub implements it; it is an interface here so handlers
// do not import the transport.
type Pusher interface {
	// Push sends msg as action to every live session of userID except the
	// session except (nil for none). It never blocks on a slow connection.
	Push(userID uint64, action uint16, msg proto.Message, except wire.Session) error
	// Live reports whether device session deviceID is connected.
	Live(deviceID uint64) bool
	// EndSession sends the live connection of device session deviceID, if
	// any, e and closes it.
	EndSession(deviceID uint64, e *wire.Error)
}

// clusterPusher is a Pusher that reaches the other nodes of a cluster
// (server.Hub with -nats).
type clusterPusher interface {
	// Clustered reports whether there are other nodes.
	Clustered() bool
	// Relay hands payload to the connection waiting under key on another
	// node (its Relayed) and reports whether it was delivered.
	Relay(ctx context.Context, key, payload []byte) bool
	// OnlineAnywhere reports whether userID has a live connection on any
	// node.
	OnlineAnywhere(ctx context.Context, userID uint64) bool
}

// clustered reports whether the handlers' hub has other nodes.
func (h *Handlers) clustered() bool {
	cp, ok := h.hub.(clusterPusher)
	return ok && cp.Clustered()
}

// Kicker wakes background work that the database holds the queue of.
type Kicker interface{ Kick() }

// noPusher is the Hub of handlers built without one: nobody is online.
type noPusher struct{}

func (noPusher) Push(uint64, uint16, proto.Message, wire.Session) error { return nil }
func (noPusher) Live(uint64) bool                                       { return false }
func (noPusher) EndSession(uint64, *wire.Error)                         {}

// Handlers implements dispatch.Handlers: every action of the spec has its
// method here (one file per action or small family), so an action added to
// the spec without behaviour does not compile.
type Handlers struct {
	db         *storage.DB
	send       delivery.Sender
	mail       delivery.EmailSender
	log        *slog.Logger
	now        func() time.Time
	codes      CodePolicy
	hub        Pusher
	files      FileOptions
	store      *files.Store
	processing Kicker
	mutualOnly bool
	maxMembers int
	geo        Geo
	idle       time.Duration
	limits     *limits.Limiter
	deleteBoth time.Duration
	ice        []ICEServer
	waiting    *waitingDevices
	node       string // this node's name (Config.Node)
}

// It embeds no dispatch.Unimplemented: this line fails to compile while any
// action lacks its method.
var _ dispatch.Handlers = (*Handlers)(nil)

// New builds the handlers from the operator's settings and the process's
// dependencies. It panics when d.DB is nil or cfg.Codes is invalid after
// defaults: both are wiring mistakes, and package config checks the policy
// first to report the latter nicely.
func New(cfg Config, d Deps) *Handlers {
	if d.DB == nil {
		panic("handlers: Deps.DB is nil")
	}
	codes := cfg.Codes.WithDefaults()
	if err := codes.Check(); err != nil {
		panic("handlers: " + err.Error())
	}
	h := &Handlers{db: d.DB, send: d.Sender, mail: d.Email, log: d.Log, now: d.Clock, codes: codes,
		hub: d.Hub, files: cfg.Files.WithDefaults(), store: d.Store, processing: d.Processing,
		node: cfg.Node, mutualOnly: cfg.MutualOnly, maxMembers: cfg.MaxRoomMembers, geo: d.Geo, idle: cfg.SessionIdle, limits: d.Limits,
		deleteBoth: cfg.DeleteForBothPeriod, ice: cfg.ICEServers, waiting: newWaitingDevices()}
	if h.idle <= 0 {
		h.idle = DefaultSessionIdle
	}
	if h.maxMembers <= 0 {
		h.maxMembers = DefaultMaxRoomMembers
	}
	if h.hub == nil {
		h.hub = noPusher{}
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.send == nil {
		h.send = delivery.LogSender{Log: h.log}
	}
	if h.mail == nil {
		h.mail = delivery.LogSender{Log: h.log}
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h
}

// unix is the handlers' clock in the Unix seconds that storage keeps.
func (h *Handlers) unix() int64 { return h.now().Unix() }

// waitSeconds turns a moment in the future into the wait an error carries:
// whole seconds, rounded up so a client that waits exactly that long is not
// refused again, and at least 1.
func waitSeconds(until, now int64) uint32 {
	d := until - now
	if d < 1 {
		return 1
	}
	if d > int64(^uint32(0)) {
		return ^uint32(0)
	}
	return uint32(d)
}
