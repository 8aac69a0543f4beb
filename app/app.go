// Package app wires gapd together from its configuration (package config):
// storage, handlers and the server. main and the end-to-end tests start the
// same thing through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/fileproc"
	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/geoip"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/limits"
	"github.com/gapd/gapd/presence"
	"github.com/gapd/gapd/selfremove"
	"github.com/gapd/gapd/server"
	"github.com/gapd/gapd/storage"
)

// App is a running gapd.
type App struct {
	DB       *storage.DB
	Server   *server.Server
	Handlers *handlers.Handlers
	// Processing works through uploaded content in the background.
	Processing *fileproc.Processor
	// SelfRemove deletes the accounts whose self-removal period has passed.
	SelfRemove *selfremove.Job
	// Cluster carries pushes and session events to other nodes (-nats);
	// nil for a single node.
	Cluster  *server.Cluster
	presence *presence.Job // nil for a single node
	listener net.Listener
	ops      net.Listener // nil when /metrics and /healthz share listener
	served   chan error
	opsDone  chan error

	stopOnce sync.Once
	stopErr  error
}

// Start opens the database under cfg.Data and the content store in
// cfg.FilesDir(), builds every component from cfg and starts serving on
// cfg.Server.Addr. deps may preset handler dependencies (tests set a
// clock, a sender or a Geo); the rest are built here.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger, deps handlers.Deps) (*App, error) {
	if deps.Sender == nil {
		deps.Sender = delivery.New(cfg.Sender, log)
	}
	if deps.Email == nil {
		deps.Email = delivery.NewEmail(cfg.Email, log)
	}
	// config.Load has checked it; a caller may have changed it since, and
	// handlers.New would panic on it.
	if err := cfg.Handlers.Codes.WithDefaults().Check(); err != nil {
		return nil, err
	}
	// One limiter for the dispatcher (request classes) and the handlers
	// (sign-up budgets), on the handlers' clock so tests can move it.
	if deps.Limits == nil {
		deps.Limits = limits.New(cfg.Limits, deps.Clock)
	}
	if deps.Geo == nil && cfg.GeoIP != "" {
		g, err := geoip.Open(cfg.GeoIP)
		if err != nil {
			return nil, fmt.Errorf("-geoip: %w", err)
		}
		deps.Geo = g
	}
	db, err := storage.Open(ctx, cfg.Data, storage.Options{URL: cfg.DB})
	if err != nil {
		return nil, err
	}
	keys, created, err := server.LoadKeys(cfg.Server, cfg.Data)
	if err != nil {
		db.Close()
		return nil, err
	}
	if created {
		log.Info("created the connection securing key", "path", filepath.Join(cfg.Data, server.SecuringKeyFile))
	}
	deps.DB, deps.Log = db, log
	// One hub shared by the handlers (who push) and the server (who knows
	// the live connections).
	hub := server.NewHub()
	deps.Hub = hub
	var cluster *server.Cluster
	if cfg.Server.NATS != "" {
		// Before the server: it registers the cluster's metrics.
		if cluster, err = server.JoinCluster(hub, server.ClusterOptions{URL: cfg.Server.NATS, Node: cfg.Server.Node, Log: log}); err != nil {
			db.Close()
			return nil, err
		}
	}
	// stop undoes what Start has done when a later step fails.
	stop := func() {
		if cluster != nil {
			cluster.Close()
		}
		db.Close()
	}
	if deps.Store == nil {
		store, err := files.Open(cfg.FilesDir())
		if err != nil {
			stop()
			return nil, err
		}
		deps.Store = store
	}
	popts := cfg.Processing
	popts.Node = cfg.Server.Node // names this node's claims in the database
	proc := fileproc.New(db, deps.Store, log, popts)
	deps.Processing = proc
	hcfg := cfg.Handlers
	// Chunks and edge bytes are capped to fit the frames the server takes.
	hcfg.Files.MaxFrame = cfg.Server.MaxFrame
	hcfg.Node = cfg.Server.Node
	h := handlers.New(hcfg, deps)
	// A user whose last connection goes is OFFLINE. A single node starting
	// has no connections, so nobody is online; in a cluster the other
	// nodes' users may be, and each node only marks those it saw go.
	hub.OnUserGone(h.UserGone)
	// A new device's token approved on another node comes here for the
	// device waiting on this one.
	hub.OnRelay(h.Relayed)
	if cluster == nil {
		if err := h.MarkAllOffline(ctx); err != nil {
			stop()
			return nil, err
		}
	}
	// Finishes processing that a crash interrupted, then takes new uploads.
	proc.Start()
	sweeper := selfremove.New(h, log, selfremove.Options{})
	sweeper.Start()
	warnFilesLimit(log, cfg.Server)
	srv := server.New(cfg.Server, server.Options{Handlers: h, Log: log, Health: db.Ping, Hub: hub, Keys: keys,
		Limiter: deps.Limits})
	l, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		sweeper.Close()
		proc.Close()
		stop()
		return nil, err
	}
	var ops net.Listener
	if cfg.Server.OpsAddr != "" {
		if ops, err = net.Listen("tcp", cfg.Server.OpsAddr); err != nil {
			l.Close()
			sweeper.Close()
			proc.Close()
			stop()
			return nil, fmt.Errorf("-ops-addr: %w", err)
		}
	}
	a := &App{DB: db, Server: srv, Handlers: h, Processing: proc, SelfRemove: sweeper, Cluster: cluster, listener: l, ops: ops,
		served: make(chan error, 1), opsDone: make(chan error, 1)}
	if cluster != nil {
		// Users left ONLINE by nodes that died (or by this node's last run).
		a.presence = presence.Start(h, log, cfg.Presence)
	}
	go func() { a.served <- srv.Serve(l) }()
	if ops != nil {
		go func() { a.opsDone <- srv.ServeOps(ops) }()
	} else {
		a.opsDone <- nil
	}
	return a, nil
}

// warnFilesLimit warns of an open-files limit too low for many clients, or
// below what -max-conns asks for: past it, accepting a client (or opening a
// file) fails instead of the upgrade being refused with 429.
func warnFilesLimit(log *slog.Logger, cfg server.Config) {
	n, ok := server.FilesLimit()
	if !ok {
		return
	}
	if n < server.LowFilesLimit {
		log.Warn("the open-files limit is low: raise it (ulimit -n, LimitNOFILE= in a systemd unit) to serve many clients",
			"limit", n, "max_conns", cfg.MaxConns)
	}
	if cfg.MaxConns == 0 || uint64(cfg.MaxConns) > n {
		log.Warn("-max-conns allows more connections than the open-files limit holds", "limit", n, "max_conns", cfg.MaxConns)
	}
}

// Addr is the address the server listens on.
func (a *App) Addr() string { return a.listener.Addr().String() }

// OpsAddr is the address of /metrics and /healthz: the ops listener's, or
// Addr when they share the client listener.
func (a *App) OpsAddr() string {
	if a.ops == nil {
		return a.Addr()
	}
	return a.ops.Addr().String()
}

// URL is the WebSocket address of the server.
func (a *App) URL() string { return "ws://" + a.Addr() + "/" }

// Shutdown stops serving gracefully, then leaves the cluster (what the
// last requests pushed goes out first), stops the background work (file
// processing, self-removal), and closes the database. Called again, it
// returns what the first call did (a test stops a node of a cluster
// mid-test, and its cleanup stops it again).
func (a *App) Shutdown(ctx context.Context) error {
	a.stopOnce.Do(func() { a.stopErr = a.shutdown(ctx) })
	return a.stopErr
}

func (a *App) shutdown(ctx context.Context) error {
	err := a.Server.Shutdown(ctx)
	if serr := <-a.served; serr != nil {
		err = errors.Join(err, serr)
	}
	if oerr := <-a.opsDone; oerr != nil {
		err = errors.Join(err, oerr)
	}
	if a.Cluster != nil {
		a.Cluster.Close()
	}
	a.Processing.Close()
	a.SelfRemove.Close()
	if a.presence != nil {
		a.presence.Close()
	}
	return errors.Join(err, a.DB.Close())
}
