package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/securing"
	"github.com/gapd/gapd/wire"
	"github.com/lxzan/gws"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options are what a Server needs besides its Config.
type Options struct {
	// Handlers is the behaviour (handlers.New). Nil answers every action
	// with its internal error (dispatch.Unimplemented).
	Handlers dispatch.Handlers
	// Log receives the server's structured logs; nil is slog.Default().
	Log *slog.Logger
	// Health backs /healthz (storage's Ping); nil is always healthy.
	Health func(context.Context) error
	// Hub is where handlers push; nil makes a new one (Server.Hub).
	Hub *Hub
	// Keys are the connection securing's keys (LoadKeys). Nil offers no
	// securing: ConnectionSecuringResponse carries no public key and a
	// ConnectionSymmetricKey is REJECTED.
	Keys *securing.Keys
	// Limiter is the budget of each request's class (limits.New); nil
	// limits nothing.
	Limiter wire.Limiter
}

// Server serves the protocol over WebSocket on "/" and "/hybrid/"; the
// operator's /healthz and /metrics go on a listener of their own (ServeOps)
// unless Config.OpsAddr is empty, which puts them beside the WebSocket paths.
type Server struct {
	cfg       Config
	log       *slog.Logger
	disp      *wire.Dispatcher
	hub       *Hub
	metrics   *metrics
	health    func(context.Context) error
	http      *http.Server
	ops       *http.Server // /healthz and /metrics, for ServeOps
	up        *gws.Upgrader
	heartbeat time.Duration
	grace     time.Duration
	outQueue  int
	keys      *securing.Keys
	publicKey string // keys.Server's PEM public key
	// queueStall: a full queue without progress for this long closes the
	// connection (conn.offer).
	queueStall time.Duration

	// base is the context of every request; it ends when a Shutdown gives up
	// waiting, so handlers still running learn they should stop.
	base       context.Context
	cancelBase context.CancelFunc

	mu       sync.Mutex // guards closing and conns, and orders inflight.Add before Wait
	closing  bool
	conns    map[*conn]struct{}
	inflight sync.WaitGroup
	draining chan struct{} // closed when Shutdown starts

	beats beats     // heartbeat scheduler (beats.go)
	adm   admission // open connections, in all and per address (admit.go)

	sampled logSampler // client errors that reach the info log (logsample.go)
	workers workers    // run requests off the read goroutines (workers.go)
}

// New builds a server from cfg (zero fields take the flag defaults). Serve
// starts it.
func New(cfg Config, o Options) *Server {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.MaxFrame <= 0 {
		cfg.MaxFrame = DefaultMaxFrame
	}
	if cfg.HandlerTimeout <= 0 {
		cfg.HandlerTimeout = DefaultHandlerTimeout
	}
	if cfg.OutQueue <= 0 {
		cfg.OutQueue = DefaultOutQueue
	}
	if cfg.LoginIdle <= 0 {
		cfg.LoginIdle = DefaultLoginIdle
	}
	if cfg.MaxBadFrames <= 0 {
		cfg.MaxBadFrames = DefaultMaxBadFrames
	}
	cfg.MaxBadFrames = min(cfg.MaxBadFrames, math.MaxUint16)
	if cfg.QueueStall <= 0 {
		cfg.QueueStall = DefaultQueueStall
	}
	if cfg.FloodPause <= 0 {
		cfg.FloodPause = DefaultFloodPause
	}
	if cfg.Node == "" {
		cfg.Node = DefaultNode()
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Handlers == nil {
		o.Handlers = dispatch.Unimplemented{}
	}
	if o.Hub == nil {
		o.Hub = NewHub()
	}
	base, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:        cfg,
		log:        o.Log,
		hub:        o.Hub,
		health:     o.Health,
		heartbeat:  cfg.Heartbeat,
		grace:      heartbeatGrace(cfg.Heartbeat, cfg.HeartbeatGrace),
		outQueue:   cfg.OutQueue,
		keys:       o.Keys,
		queueStall: cfg.QueueStall,
		base:       base,
		cancelBase: cancel,
		conns:      map[*conn]struct{}{},
		draining:   make(chan struct{}),
	}
	if s.keys != nil {
		s.publicKey = securing.PublicPEM(&s.keys.Server.PublicKey)
	}
	s.hub.setMaxPerUser(cfg.MaxSessionsPerUser)
	s.metrics = newMetrics(s.hub, cfg.Node)
	s.disp = &wire.Dispatcher{Table: dispatch.New(o.Handlers).Table(), Log: o.Log, Timeout: cfg.HandlerTimeout,
		Limiter: o.Limiter}
	s.up = gws.NewUpgrader(events{s}, &gws.ServerOption{
		// One request at a time per connection, in order: OnMessage runs on
		// the connection's read goroutine (ParallelEnabled off).
		ParallelEnabled:     false,
		ReadMaxPayloadSize:  cfg.MaxFrame,
		ReadBufferSize:      gwsReadBuffer, // unused: upgrade hands gws its reader
		WriteMaxPayloadSize: maxWriteFrame,
		Logger:              gwsLogger{o.Log},
		Recovery:            gws.Recovery, // a bug in the frame path logs instead of ending the process
		NewSession:          func() gws.SessionStorage { return new(oneValue) },
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.upgrade)
	mux.HandleFunc("GET /hybrid/{$}", s.upgrade)
	ops := http.NewServeMux()
	for _, m := range []*http.ServeMux{ops, mux} {
		m.HandleFunc("GET /healthz", s.healthz)
		m.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
		if cfg.OpsAddr != "" {
			break // the client port serves only the WebSocket paths
		}
	}
	s.http = newHTTPServer(mux, o.Log)
	s.ops = newHTTPServer(ops, o.Log)
	return s
}

func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
}

// Hub is where handlers push to other sessions.
func (s *Server) Hub() *Hub { return s.hub }

// Handler is the server's HTTP handler (the WebSocket upgrade, and /healthz
// and /metrics when Config.OpsAddr is empty), for embedding in another
// http.Server.
func (s *Server) Handler() http.Handler { return s.http.Handler }

// OpsHandler serves /healthz and /metrics.
func (s *Server) OpsHandler() http.Handler { return s.ops.Handler }

// ServeOps serves /healthz and /metrics on l (plain HTTP: keep it on a
// private address) until Shutdown, after which it returns nil.
func (s *Server) ServeOps(l net.Listener) error {
	err := s.ops.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Serve accepts connections on l until Shutdown, speaking TLS when the
// configuration names a certificate. It returns nil after Shutdown.
func (s *Server) Serve(l net.Listener) error {
	if s.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("server: %w", err)
		}
		// HTTP/1.1 only: a WebSocket upgrade needs it.
		l = tls.NewListener(l, &tls.Config{
			Certificates: []tls.Certificate{cert},
			MinVersion:   tls.VersionTLS12,
			NextProtos:   []string{"http/1.1"},
		})
	}
	err := s.http.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// healthz answers 200 "ok" while the node can serve: the database answers
// a trivial query and, in a cluster, NATS is connected. Otherwise it
// answers 503 "unavailable: " and a fixed reason (unhealthy), so a balancer
// sends clients to other nodes and an operator sees which part is down; the
// error itself is logged, not answered: a database error's text names paths
// and internals.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if reason := s.unhealthy(r.Context()); reason != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("unavailable: " + reason + "\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// Reasons /healthz gives for 503.
const (
	unhealthyClosing  = "shutting down"
	unhealthyDatabase = "database"
	unhealthyNATS     = "nats disconnected"
)

// unhealthy is why the node should not take clients now, or "".
func (s *Server) unhealthy(ctx context.Context) string {
	if s.isClosing() {
		return unhealthyClosing
	}
	if s.health != nil {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := s.health(ctx); err != nil {
			s.log.Error("health check failed", "err", err)
			return unhealthyDatabase
		}
	}
	if cl := s.hub.cluster.Load(); cl != nil && !cl.Connected() {
		// Pushes between nodes are being lost: a balancer should send
		// clients elsewhere while another node has NATS.
		s.log.Warn("health check failed: NATS is not connected")
		return unhealthyNATS
	}
	return ""
}

// enter counts a request in flight, unless the server is shutting down.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.inflight.Add(1)
	return true
}

// Shutdown stops the server gracefully: it stops accepting connections and
// taking new requests (frames that arrive from now on are ignored), waits
// for the requests in flight to finish, lets every connection write what it
// has queued (their answers among it), and closes each with 1001 (going
// away). When ctx ends first, what remains is closed at once, handlers still
// running see their context cancelled, and ctx's error is returned. The
// caller closes the database afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		close(s.draining)
	}
	s.mu.Unlock()
	defer s.cancelBase()

	err := s.http.Shutdown(ctx)

	idle := make(chan struct{})
	go func() { s.inflight.Wait(); close(idle) }()
	select {
	case <-idle:
	case <-ctx.Done():
		s.cancelBase()
	}

	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		// Each waits for room in its own queue; none holds up another.
		go c.finish(ctx, closeGoingAway, reasonShutdown)
	}
	for _, c := range conns {
		select {
		case <-c.done:
		case <-ctx.Done():
			c.kill()
		}
	}
	// Last: /healthz says "unavailable" while the rest shuts down.
	err = errors.Join(err, s.ops.Shutdown(ctx))
	if ctx.Err() != nil {
		err = errors.Join(err, ctx.Err())
	}
	return err
}

// sessionKey is where a gws connection keeps its *conn.
const sessionKey = "gapd.conn"

// oneValue is a gws session that holds one key: all gapd stores is the
// *conn, and gws's default (a map behind a mutex) costs every connection a
// map.
type oneValue struct {
	mu  sync.Mutex
	key string
	val any
	set bool
}

func (o *oneValue) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.set {
		return 1
	}
	return 0
}

func (o *oneValue) Load(key string) (any, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.set && o.key == key {
		return o.val, true
	}
	return nil, false
}

func (o *oneValue) Delete(key string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.set && o.key == key {
		o.key, o.val, o.set = "", nil, false
	}
}

// Store keeps the last key stored; gapd stores only sessionKey.
func (o *oneValue) Store(key string, value any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.key, o.val, o.set = key, value, true
}

func (o *oneValue) Range(f func(key string, value any) bool) {
	o.mu.Lock()
	key, val, set := o.key, o.val, o.set
	o.mu.Unlock()
	if set {
		f(key, val)
	}
}

func connOf(ws *gws.Conn) *conn {
	v, _ := ws.Session().Load(sessionKey)
	c, _ := v.(*conn)
	return c
}

// events receives gws's callbacks for every connection.
type events struct{ s *Server }

func (e events) OnOpen(ws *gws.Conn) {
	s, c := e.s, connOf(ws)
	if c == nil {
		_ = ws.NetConn().Close()
		return
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		_ = ws.WriteClose(closeGoingAway, []byte(reasonShutdown))
		return
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	s.metrics.connections.Inc()
	s.log.Debug("connection open", "remote", c.remote)
	c.touch(true)
	c.enqueue(&outFrame{data: s.helloFrame()})
	s.beatAdd(c)
}

func (e events) OnClose(ws *gws.Conn, err error) {
	s, c := e.s, connOf(ws)
	if c == nil {
		return
	}
	c.kill()
	s.release(c.remote)
	s.mu.Lock()
	_, tracked := s.conns[c]
	delete(s.conns, c)
	s.mu.Unlock()
	if tracked {
		s.metrics.connections.Dec()
		s.log.Debug("connection closed", "remote", c.remote, "user_id", c.UserID(), "reason", err)
	}
}

// OnPing answers a WebSocket ping through the queue (so it keeps its place
// among the frames) and counts as a sign of life (of a logged-in client).
func (e events) OnPing(ws *gws.Conn, payload []byte) {
	if c := connOf(ws); c != nil {
		c.touch(false)
		c.enqueue(&outFrame{data: append([]byte(nil), payload...), pong: true})
	}
}

func (e events) OnPong(ws *gws.Conn, _ []byte) {
	if c := connOf(ws); c != nil {
		c.touch(false)
	}
}

// OnMessage runs one frame on the connection's read goroutine: the next
// frame is read only when this one is answered.
func (e events) OnMessage(ws *gws.Conn, msg *gws.Message) {
	defer msg.Close()
	s, c := e.s, connOf(ws)
	if c == nil {
		return
	}
	c.touch(false)
	if c.closing.Load() || !s.enter() {
		return
	}
	request := c.runFrame(msg.Opcode == gws.OpcodeBinary, msg.Bytes())
	// After the handler, so a long one is not the client's silence, and a
	// login made by it counts.
	c.touch(request)
	c.pauseAfterFlood()
}

// runFrame handles one frame on one of the server's workers while the read
// goroutine waits for it, so a connection's requests still run one at a
// time and in order, and the read goroutine's stack stays small (workers).
func (c *conn) runFrame(binary bool, frame []byte) (request bool) {
	done := make(chan struct{})
	c.srv.workers.run(func() {
		defer close(done)
		defer c.srv.inflight.Done()
		defer func() {
			// Dispatch recovers a handler's panic itself; this catches one
			// in the server's own frame path, as gws's Recovery did when it
			// ran on the read goroutine.
			if p := recover(); p != nil {
				c.srv.log.Error("panic in the frame path", "remote", c.remote, "panic", fmt.Sprint(p),
					"stack", string(debug.Stack()))
				c.kill()
			}
		}()
		request = c.handleFrame(binary, frame)
	})
	<-done
	return request
}

// gwsLogger routes gws's own messages (recovered panics) into slog.
type gwsLogger struct{ l *slog.Logger }

func (g gwsLogger) Error(v ...any) { g.l.Error("gws: " + fmt.Sprint(v...)) }

// readBuffer is a connection's read buffer (the unmasker's), held for the
// connection's life. Payloads larger than it are read straight into their
// own buffer, so a small one costs idle connections little and large frames
// nothing.
const readBuffer = 512
