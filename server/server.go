package server

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/lxzan/gws"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options are what the server needs besides its Config.
type Options struct {
	Handlers dispatch.Handlers
	Log      *slog.Logger
	// Health reports whether the server can serve (the database answers).
	Health func(context.Context) error
}

// Server serves the protocol over WebSocket, and /healthz and /metrics.
type Server struct {
	cfg     Config
	log     *slog.Logger
	table   wire.Table
	disp    *wire.Dispatcher
	hub     *Hub
	metrics *metrics
	health  func(context.Context) error
	http    *http.Server
	up      *gws.Upgrader

	mu       sync.RWMutex // guards closing and conns against requests starting
	closing  bool
	conns    map[*conn]struct{}
	inflight sync.WaitGroup
}

// New builds a server; Serve starts it.
func New(cfg Config, o Options) *Server {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	s := &Server{cfg: cfg, log: o.Log, table: dispatch.Table, metrics: newMetrics(), health: o.Health, conns: map[*conn]struct{}{}}
	s.hub = newHub(s.metrics)
	s.disp = &wire.Dispatcher{Table: dispatch.Table, Handlers: o.Handlers, Log: o.Log, Timeout: cfg.HandlerTimeout}
	s.up = gws.NewUpgrader(s, &gws.ServerOption{ReadMaxPayloadSize: cfg.MaxFrame, Logger: gwsLogger{o.Log}})
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.upgrade)
	mux.HandleFunc("/hybrid/", s.upgrade)
	mux.HandleFunc("/healthz", s.healthz)
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return s
}

// Hub is where handlers push changes to other sessions.
func (s *Server) Hub() *Hub { return s.hub }

// Serve accepts connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	if s.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			return err
		}
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	err := s.http.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (s *Server) upgrade(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" && r.URL.Path != "/hybrid/" {
		http.NotFound(w, r)
		return
	}
	s.mu.RLock()
	closing := s.closing
	s.mu.RUnlock()
	if closing {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	ws, err := s.up.Upgrade(w, r)
	if err != nil {
		s.log.Debug("upgrade failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	go ws.ReadLoop()
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if s.health != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.health(ctx); err != nil {
			http.Error(w, "unhealthy: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	_, _ = w.Write([]byte("ok\n"))
}

// OnOpen greets the client with the heartbeat interval and starts its writer.
func (s *Server) OnOpen(ws *gws.Conn) {
	c := newConn(s, ws)
	ws.Session().Store("c", c)
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	s.metrics.connections.Inc()
	c.touch()
	go c.writeLoop()
	// Plain ws/wss: no RSA key exchange, so public_key stays empty; TLS is the
	// modern equivalent of the protocol's connection securing.
	c.send(dispatch.MessageConnectionSecuringResponse, &pb.ConnectionSecuringResponse{
		Response:          &pb.Response{Timestamp: uint32(time.Now().Unix())},
		HeartbeatInterval: uint32(s.cfg.Heartbeat / time.Second),
	})
}

// OnClose forgets the connection.
func (s *Server) OnClose(ws *gws.Conn, err error) {
	c := connOf(ws)
	if c == nil {
		return
	}
	c.close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.metrics.connections.Dec()
}

// OnPing answers a WebSocket ping and counts as activity.
func (s *Server) OnPing(ws *gws.Conn, payload []byte) {
	if c := connOf(ws); c != nil {
		c.touch()
	}
	_ = ws.WritePong(payload)
}

// OnPong counts as activity.
func (s *Server) OnPong(ws *gws.Conn, _ []byte) {
	if c := connOf(ws); c != nil {
		c.touch()
	}
}

// OnMessage runs one request. gws calls it in order for a connection, so a
// connection's requests are answered in the order they came.
func (s *Server) OnMessage(ws *gws.Conn, msg *gws.Message) {
	defer msg.Close()
	c := connOf(ws)
	if c == nil {
		return
	}
	c.touch()
	if !s.enter() {
		return // shutting down: no new requests
	}
	defer s.inflight.Done()
	if msg.Opcode != gws.OpcodeBinary {
		c.sendError(s.table.BadRequest().WithMessage("frames are binary"), "", false)
		s.metrics.countError("", uint32(errs.BadRequest), false)
		return
	}
	action, payload, err := wire.DecodeFrame(msg.Bytes())
	if err != nil {
		c.sendError(s.table.BadRequest().WithMessage("frame shorter than 2 bytes"), "", false)
		s.metrics.countError("", uint32(errs.BadRequest), false)
		return
	}
	start := time.Now()
	res := s.disp.Dispatch(context.Background(), c, action, payload)
	name := "unknown"
	if res.Route != nil {
		name = res.Route.Name
	}
	s.metrics.requests.WithLabelValues(name).Inc()
	s.metrics.latency.WithLabelValues(name).Observe(time.Since(start).Seconds())
	if res.Err != nil {
		s.reportError(c, name, res)
		return
	}
	c.send(res.Route.ResponseID, res.Response)
}

// reportError sends a real error and only logs and counts a virtual one.
func (s *Server) reportError(c *conn, action string, res wire.Result) {
	e := res.Err
	info, _ := errs.Lookup(e.Major)
	virtual := info != nil && info.Virtual
	s.metrics.countError(action, uint32(e.Major), virtual)
	s.log.Debug("request failed", "action", action, "request_id", res.RequestID, "user_id", c.UserID(),
		"code", e.Major, "minor", e.Minor, "virtual", virtual, "msg", e.Message)
	if !virtual {
		c.sendError(e, res.RequestID, false)
	}
}

// enter registers a request in flight unless the server is shutting down.
func (s *Server) enter() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closing {
		return false
	}
	s.inflight.Add(1)
	return true
}

// Shutdown stops accepting, lets requests in flight finish and their answers
// be written, then closes every connection.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	err := s.http.Shutdown(ctx)
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		err = errors.Join(err, ctx.Err())
	}
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.flushAndClose()
	}
	for _, c := range conns {
		select {
		case <-c.done:
		case <-ctx.Done():
			c.close()
		}
	}
	return err
}

func connOf(ws *gws.Conn) *conn {
	v, ok := ws.Session().Load("c")
	if !ok {
		return nil
	}
	c, _ := v.(*conn)
	return c
}

// gwsLogger routes gws's own messages into slog.
type gwsLogger struct{ l *slog.Logger }

func (g gwsLogger) Error(v ...any) { g.l.Error("gws", "msg", v) }
